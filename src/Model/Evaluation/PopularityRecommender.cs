using Recommender.Model.Data;

namespace Recommender.Model.Evaluation;

/// <summary>
/// Scores every item by how many training interactions it has, the same for every user. It is the evaluation
/// baseline and the serving fallback for users without history, hence the public ranked list.
/// </summary>
public sealed class PopularityRecommender : IItemScorer, IHistoryScorer
{
    private readonly float[] _scores;
    private readonly int[] _rankedItems;

    private PopularityRecommender(int[] counts)
    {
        Counts = counts;
        _scores = Array.ConvertAll(counts, count => (float)count);
        _rankedItems = new int[counts.Length];
        for (var item = 0; item < _rankedItems.Length; item++)
        {
            _rankedItems[item] = item;
        }
        // Most interacted first, ties to the lower item index (as the evaluator breaks them).
        Array.Sort(_rankedItems, (a, b) => counts[a] != counts[b] ? counts[b].CompareTo(counts[a]) : a.CompareTo(b));
    }

    /// <summary>Counts the interactions of each item over all <paramref name="tables"/> (one index space).</summary>
    public static PopularityRecommender Fit(params IReadOnlyList<InteractionTable> tables)
    {
        if (tables.Count == 0)
        {
            throw new ArgumentException("At least one interaction table is needed.", nameof(tables));
        }
        var counts = new int[tables[0].ItemCount];
        foreach (var table in tables)
        {
            if (table.ItemCount != counts.Length)
            {
                throw new ArgumentException("Tables from different item index spaces cannot be combined.", nameof(tables));
            }
            foreach (var item in table.Items)
            {
                counts[item]++;
            }
        }
        return new PopularityRecommender(counts);
    }

    /// <summary>Popularity over everything a model may learn from in <paramref name="split"/>: Train and Validation.</summary>
    public static PopularityRecommender Fit(DataSplit split) => Fit(split.Train, split.Validation);

    public int ItemCount => _scores.Length;

    /// <summary>Training interactions per item index.</summary>
    public IReadOnlyList<int> Counts { get; }

    /// <summary>All item indices, most interacted first, ties to the lower index.</summary>
    public ReadOnlySpan<int> RankedItems => _rankedItems;

    public void ScoreUsers(ReadOnlySpan<int> users, Span<float> scores)
    {
        if (scores.Length != users.Length * _scores.Length)
        {
            throw new ArgumentException($"Expected {users.Length} × {_scores.Length} scores, got {scores.Length}.", nameof(scores));
        }
        for (var row = 0; row < users.Length; row++)
        {
            _scores.CopyTo(scores.Slice(row * _scores.Length, _scores.Length));
        }
    }

    /// <summary>The same list for every history.</summary>
    public void ScoreHistory(ReadOnlySpan<int> history, Span<float> scores)
    {
        if (scores.Length != _scores.Length)
        {
            throw new ArgumentException($"Expected {_scores.Length} scores, got {scores.Length}.", nameof(scores));
        }
        _scores.CopyTo(scores);
    }
}
