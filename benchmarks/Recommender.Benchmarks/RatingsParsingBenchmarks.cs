using BenchmarkDotNet.Attributes;
using Recommender.Model.Data;

namespace Recommender.Benchmarks;

/// <summary>Loading a synthetic ml-latest release (ratings.csv + movies.csv) with one and with all cores.</summary>
[MemoryDiagnoser]
public class RatingsParsingBenchmarks
{
    private string _folder = "";

    [Params(1_000_000)]
    public int Rows { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void GenerateRelease() => _folder = SyntheticReleaseCache.Ensure(SyntheticReleaseCache.Ml20MShaped(Rows));

    [Benchmark]
    public int LoadRelease() => MovieLensReader.Load(_folder, new IngestionOptions { MaxDegreeOfParallelism = Threads }).Interactions.Count;
}
