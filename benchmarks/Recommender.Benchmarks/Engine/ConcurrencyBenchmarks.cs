using BenchmarkDotNet.Attributes;
using Recommender.Model.Engine;

namespace Recommender.Benchmarks.Engine;

/// <summary>
/// Throughput with several callers sharing one engine: each invocation serves 256 session requests (50-movie
/// histories) split over <see cref="Callers"/> threads; the time per operation is the inverse of the throughput.
/// </summary>
[InProcess]
[MedianColumn]
public class ConcurrencyBenchmarks
{
    private const int RequestsPerInvoke = 256;
    private RecommendationEngine _engine = null!;
    private int[][] _histories = null!;

    [Params(1, 2, 4)]
    public int Callers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = RecommendationEngine.Load(SyntheticBundle.Ensure(Console.WriteLine));
        _histories = SyntheticBundle.SessionHistories(_engine, RequestsPerInvoke, SyntheticBundle.MaxHistory, seed: 4);
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [Benchmark(OperationsPerInvoke = RequestsPerInvoke, Description = "RecommendForHistory, concurrent callers")]
    public void SessionRequests() =>
        Parallel.For(0, RequestsPerInvoke, new ParallelOptions { MaxDegreeOfParallelism = Callers },
            request => _engine.RecommendForHistory(_histories[request], 10));
}
