using Recommender.Model.Engine;
using Recommender.Model.Evaluation;

namespace Recommender.Training.Retraining;

/// <summary>
/// Scores a split's users with a served model bundle, as the app would serve them: each user's top k from
/// <see cref="RecommendationEngine.RecommendForUser"/> (their stored history; the popularity fallback for users the
/// bundle does not know), leaving out what they have in the split's Train and Validation. The k movies get scores
/// k..1 in rank order, every other movie the lowest score, so the evaluator's top k is the engine's list.
/// Movies the split does not know are dropped from the list.
/// </summary>
public sealed class BundleScorer : IItemScorer
{
    private readonly RecommendationEngine _engine;
    private readonly DataSplit _split;
    private readonly int _k;
    private readonly Dictionary<int, List<int>> _seenMovieIdsByUser = [];

    public BundleScorer(RecommendationEngine engine, DataSplit split, int k)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        _engine = engine;
        _split = split;
        _k = k;
        foreach (var table in new[] { split.Train, split.Validation })
        {
            var users = table.Users;
            var items = table.Items;
            for (var row = 0; row < table.Count; row++)
            {
                if (!_seenMovieIdsByUser.TryGetValue(users[row], out var seen))
                {
                    seen = [];
                    _seenMovieIdsByUser.Add(users[row], seen);
                }
                seen.Add(split.Dataset.Items.GetRawId(items[row]));
            }
        }
    }

    public int ItemCount => _split.Train.ItemCount;

    public void ScoreUsers(ReadOnlySpan<int> users, Span<float> scores)
    {
        scores.Fill(float.MinValue);
        for (var row = 0; row < users.Length; row++)
        {
            var userScores = scores.Slice(row * ItemCount, ItemCount);
            var options = _seenMovieIdsByUser.TryGetValue(users[row], out var seen)
                ? new RecommendationOptions { ExcludeMovieIds = seen }
                : RecommendationOptions.Default;
            var result = _engine.RecommendForUser(_split.Dataset.Users.GetRawId(users[row]), _k, options);
            foreach (var movie in result.Items)
            {
                if (_split.Dataset.Items.TryGetIndex(movie.MovieId, out var item))
                {
                    userScores[item] = _k - movie.Rank + 1;
                }
            }
        }
    }
}
