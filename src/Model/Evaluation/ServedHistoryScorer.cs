using Recommender.Model.Data;
using Recommender.Model.Engine;

namespace Recommender.Model.Evaluation;

/// <summary>
/// The served model as the evaluator sees it: each history goes through
/// <see cref="RecommendationEngine.RecommendForHistory"/>, the code behind <c>POST /api/recommendations</c>, and the
/// <see cref="Count"/> movies it answers get their served scores; every other movie gets -∞, so only that list counts
/// (enough for every metric at k ≤ Count).
/// </summary>
public sealed class ServedHistoryScorer(RecommendationEngine engine, IdIndex items, int count) : IHistoryScorer
{
    public int ItemCount => items.Count;

    public int Count => count;

    /// <exception cref="ArgumentException">The history holds an item the engine's catalogue lacks.</exception>
    public void ScoreHistory(ReadOnlySpan<int> history, Span<float> scores)
    {
        if (scores.Length != ItemCount)
        {
            throw new ArgumentException($"Expected {ItemCount} scores, got {scores.Length}.", nameof(scores));
        }
        var movieIds = new int[history.Length];
        for (var position = 0; position < history.Length; position++)
        {
            movieIds[position] = items.GetRawId(history[position]);
        }
        scores.Fill(float.NegativeInfinity);
        foreach (var movie in engine.RecommendForHistory(movieIds, count).Items)
        {
            if (!items.TryGetIndex(movie.MovieId, out var item))
            {
                throw new InvalidOperationException($"The engine recommended movie {movie.MovieId}, which the data set does not have.");
            }
            scores[item] = movie.Score;
        }
    }
}
