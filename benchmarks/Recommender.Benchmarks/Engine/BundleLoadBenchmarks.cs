using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Recommender.Model.Bundle;
using Recommender.Model.Engine;

namespace Recommender.Benchmarks.Engine;

/// <summary>Loading the synthetic ML-20M-sized bundle (27K movies, 138K users) from a warm page cache.</summary>
[InProcess]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
[MemoryDiagnoser]
[MedianColumn]
public class BundleLoadBenchmarks
{
    private string _path = null!;

    [GlobalSetup]
    public void Setup() => _path = SyntheticBundle.Ensure(Console.WriteLine);

    [Benchmark(Description = "ModelBundle.Load (verify + read)")]
    public ModelBundle LoadBundle() => ModelBundle.Load(_path);

    [Benchmark(Description = "RecommendationEngine.Load (bundle + indexes + ONNX session)")]
    public string LoadEngine()
    {
        using var engine = RecommendationEngine.Load(_path);
        return engine.ModelVersion;
    }
}
