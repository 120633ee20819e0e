using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Recommender.Model.Engine;
using Recommender.Training.Export;

namespace Recommender.Benchmarks.Engine;

/// <summary>
/// Where to score the 27,000 movies: in C# after the user-vector graph (what the engine does) or inside the ONNX graph
/// (MatMul against E^T + additive mask + TopK). Both turn the same 50-movie history into a top 10.
/// </summary>
[InProcess]
[MemoryDiagnoser]
[MedianColumn]
public class ScoringPlacementBenchmarks
{
    private RecommendationEngine _engine = null!;
    private UserVectorModel _userVectorModel = null!;
    private InGraphScoringModel _inGraph = null!;
    private int[][] _histories = null!;
    private int[][] _historyItems = null!;
    private float[] _userVector = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _engine = RecommendationEngine.Load(SyntheticBundle.Ensure(Console.WriteLine));
        var content = _engine.Bundle.Content;
        _userVectorModel = new UserVectorModel(content.OnnxModel, content.Dim);
        _inGraph = new InGraphScoringModel(content.OnnxModel, content.MovieTable, content.Dim, topCount: 10);
        _histories = SyntheticBundle.SessionHistories(_engine, 64, SyntheticBundle.MaxHistory, seed: 3);
        var itemByMovieId = content.Movies.Select((movie, item) => (movie.MovieId, item)).ToDictionary(pair => pair.MovieId, pair => pair.item);
        _historyItems = [.. _histories.Select(history => history.Select(movieId => itemByMovieId[movieId]).ToArray())];
        _userVector = new float[content.Dim];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _inGraph.Dispose();
        _userVectorModel.Dispose();
        _engine.Dispose();
    }

    [Benchmark(Description = "user vector only (ONNX, L=50)")]
    public float UserVectorOnly()
    {
        _userVectorModel.Compute(_historyItems[_next++ & 63], _engine.Bundle.Content.AnonymousVector, _userVector);
        return _userVector[0];
    }

    [Benchmark(Baseline = true, Description = "user vector (ONNX) + C# scoring/top-k (engine)")]
    public RecommendationResult ScoringInCSharp() => _engine.RecommendForHistory(_histories[_next++ & 63], 10);

    [Benchmark(Description = "user vector + MatMul/mask/TopK in ONNX")]
    public long ScoringInGraph() => _inGraph.TopItems(_historyItems[_next++ & 63], _engine.Bundle.Content.AnonymousVector);
}
