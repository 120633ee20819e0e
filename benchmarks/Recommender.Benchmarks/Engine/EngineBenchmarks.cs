using BenchmarkDotNet.Attributes;
using Recommender.Model.Engine;

namespace Recommender.Benchmarks.Engine;

/// <summary>Single-request latency of the engine's entry points on the synthetic ML-20M-sized bundle.</summary>
[InProcess]
[MemoryDiagnoser]
[MedianColumn]
public class EngineBenchmarks
{
    private RecommendationEngine _engine = null!;
    private int[][] _histories = null!;
    private int[] _userIds = null!;
    private int _next;
    private readonly RecommendationOptions _genreFilter = new() { Genres = ["Comedy", "Drama"] };

    [GlobalSetup]
    public void Setup()
    {
        _engine = RecommendationEngine.Load(SyntheticBundle.Ensure(Console.WriteLine));
        _histories = SyntheticBundle.SessionHistories(_engine, 64, SyntheticBundle.MaxHistory, seed: 3);
        _userIds = [.. _engine.Bundle.Content.UserIds.Take(4096)];
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [Benchmark(Description = "RecommendForHistory (50 movies, top 10)")]
    public RecommendationResult RecommendForHistory() => _engine.RecommendForHistory(_histories[_next++ & 63], 10);

    [Benchmark(Description = "RecommendForUser (precomputed, top 10)")]
    public RecommendationResult RecommendForUserPrecomputed() => _engine.RecommendForUser(_userIds[_next++ & 4095], 10);

    [Benchmark(Description = "RecommendForUser (live, genre filter, top 10)")]
    public RecommendationResult RecommendForUserLive() => _engine.RecommendForUser(_userIds[_next++ & 4095], 10, _genreFilter);

    [Benchmark(Description = "SimilarMovies (top 10)")]
    public RecommendationResult SimilarMovies() => _engine.SimilarMovies(_histories[0][_next++ & 31], 10);
}
