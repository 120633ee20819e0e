using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Recommender.Model.Bundle;
using Recommender.Model.Engine;

namespace Recommender.Benchmarks.Engine;

/// <summary>Loading the synthetic ML-20M-sized bundle (27K movies, 138K users) from a warm page cache.</summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
[MedianColumn]
public class BundleLoadBenchmarks
{
    private string _path = null!;

    /// <summary>Each load takes hundreds of milliseconds: a few measured runs, in process.</summary>
    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(10)
            .WithToolchain(InProcessEmitToolchain.Instance));
    }

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
