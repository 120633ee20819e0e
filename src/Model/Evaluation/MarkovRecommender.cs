using Recommender.Model.Data;

namespace Recommender.Model.Evaluation;

/// <summary>
/// The first-order Markov chain baseline: counts how often movie b directly follows movie a in the users' time-ordered
/// histories, and scores each movie by how often it followed the user's last movie, ties (and users whose last movie
/// was never followed) broken by popularity. The simplest model that can find a sequence pattern: a sequence model
/// should beat it wherever there is one.
/// </summary>
public sealed class MarkovRecommender : IItemScorer, IHistoryScorer
{
    private readonly int[] _successorOffsets;
    private readonly int[] _successors;
    private readonly int[] _successorCounts;
    private readonly int[] _lastItemOfUser;
    private readonly float[] _popularityFill;

    private MarkovRecommender(int[] successorOffsets, int[] successors, int[] successorCounts, int[] lastItemOfUser, float[] popularityFill)
    {
        _successorOffsets = successorOffsets;
        _successors = successors;
        _successorCounts = successorCounts;
        _lastItemOfUser = lastItemOfUser;
        _popularityFill = popularityFill;
    }

    public int ItemCount => _popularityFill.Length;

    /// <summary>
    /// Counts transitions in every user's history over <paramref name="tables"/> (one index space), ordered by time;
    /// equal times keep the tables' order. Users are scored from the last movie of that history.
    /// </summary>
    public static MarkovRecommender Fit(params IReadOnlyList<InteractionTable> tables)
    {
        var popularity = PopularityRecommender.Fit(tables);
        var itemCount = popularity.ItemCount;
        var userCount = tables[0].UserCount;
        var rows = new List<(int User, long Time, int Order, int Item)>(tables.Sum(table => table.Count));
        var order = 0;
        foreach (var table in tables)
        {
            for (var row = 0; row < table.Count; row++, order++)
            {
                rows.Add((table.Users[row], table.Timestamps[row], order, table.Items[row]));
            }
        }
        rows.Sort((a, b) => a.User != b.User ? a.User.CompareTo(b.User) : a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Order.CompareTo(b.Order));

        var transitions = new Dictionary<(int From, int To), int>();
        var lastItemOfUser = new int[userCount];
        Array.Fill(lastItemOfUser, -1);
        for (var index = 0; index < rows.Count; index++)
        {
            var (user, _, _, item) = rows[index];
            if (index > 0 && rows[index - 1].User == user)
            {
                var key = (rows[index - 1].Item, item);
                transitions[key] = transitions.GetValueOrDefault(key) + 1;
            }
            lastItemOfUser[user] = item;
        }

        var offsets = new int[itemCount + 1];
        foreach (var ((from, _), _) in transitions)
        {
            offsets[from + 1]++;
        }
        for (var item = 0; item < itemCount; item++)
        {
            offsets[item + 1] += offsets[item];
        }
        var cursor = (int[])offsets.Clone();
        var successors = new int[transitions.Count];
        var counts = new int[transitions.Count];
        foreach (var ((from, to), count) in transitions)
        {
            successors[cursor[from]] = to;
            counts[cursor[from]++] = count;
        }

        // Popularity as a fraction in [0, 1): it orders movies with equal transition counts and never outweighs one transition.
        var maxCount = popularity.Counts.Count == 0 ? 0 : popularity.Counts.Max();
        var fill = popularity.Counts.Select(count => (float)(count / (maxCount + 1.0))).ToArray();
        return new MarkovRecommender(offsets, successors, counts, lastItemOfUser, fill);
    }

    /// <summary>Transitions over everything a model may learn from in <paramref name="split"/>: Train, then Validation.</summary>
    public static MarkovRecommender Fit(DataSplit split) => Fit(split.Train, split.Validation);

    public void ScoreUsers(ReadOnlySpan<int> users, Span<float> scores)
    {
        var itemCount = ItemCount;
        if (scores.Length != users.Length * itemCount)
        {
            throw new ArgumentException($"Expected {users.Length} × {itemCount} scores, got {scores.Length}.", nameof(scores));
        }
        for (var row = 0; row < users.Length; row++)
        {
            ScoreAfter(_lastItemOfUser[users[row]], scores.Slice(row * itemCount, itemCount));
        }
    }

    /// <summary>Scores every movie after a history whose last movie is <c>history[^1]</c> (popularity alone for an empty one).</summary>
    public void ScoreHistory(ReadOnlySpan<int> history, Span<float> scores)
    {
        if (scores.Length != ItemCount)
        {
            throw new ArgumentException($"Expected {ItemCount} scores, got {scores.Length}.", nameof(scores));
        }
        ScoreAfter(history.IsEmpty ? -1 : history[^1], scores);
    }

    private void ScoreAfter(int lastItem, Span<float> scores)
    {
        _popularityFill.CopyTo(scores);
        if (lastItem < 0)
        {
            return;
        }
        for (var position = _successorOffsets[lastItem]; position < _successorOffsets[lastItem + 1]; position++)
        {
            scores[_successors[position]] += _successorCounts[position];
        }
    }
}
