using Recommender.Model.Data;

namespace Recommender.Model.Evaluation;

/// <summary>
/// Presents a model to the evaluator under the session protocol: each held-out user is scored by the model from
/// their session (<see cref="DataSplit.Sessions"/>, in time order) alone, as the session endpoint would.
/// </summary>
public sealed class SessionScorer : IItemScorer
{
    private readonly IHistoryScorer _model;
    private readonly int[] _starts;
    private readonly int[] _items;

    private SessionScorer(IHistoryScorer model, int[] starts, int[] items)
    {
        _model = model;
        _starts = starts;
        _items = items;
    }

    public int ItemCount => _model.ItemCount;

    /// <summary>
    /// <paramref name="scorer"/> itself for the protocols without sessions; under the session protocol, the
    /// scorer that ranks each held-out user from their session through <paramref name="scorer"/>'s
    /// <see cref="IHistoryScorer"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The split has sessions and the model cannot score a history.</exception>
    public static IItemScorer ForSplit(DataSplit split, IItemScorer scorer, string modelName) =>
        split.Sessions is null ? scorer
            : scorer is IHistoryScorer model ? Create(split, model)
            : throw new ArgumentException($"Model '{modelName}' cannot score users it was not trained on, so it has no result under the {SplitProtocols.Session} protocol.", nameof(scorer));

    /// <exception cref="ArgumentException">The split has no sessions.</exception>
    public static SessionScorer Create(DataSplit split, IHistoryScorer model)
    {
        var sessions = split.Sessions ?? throw new ArgumentException($"The {split.Protocol} split has no sessions.", nameof(split));
        var rowsOfUser = new List<int>[sessions.UserCount];
        for (var row = 0; row < sessions.Count; row++)
        {
            (rowsOfUser[sessions.Users[row]] ??= []).Add(row);
        }
        var starts = new int[sessions.UserCount + 1];
        var items = new int[sessions.Count];
        var timestamps = sessions.Timestamps.ToArray();
        var sessionItems = sessions.Items.ToArray();
        var itemIds = split.Dataset.Items;
        for (var user = 0; user < sessions.UserCount; user++)
        {
            var rows = rowsOfUser[user] ?? [];
            rows.Sort((a, b) => a == b ? 0 : SplitAssignment.IsLater(a, b, timestamps, sessionItems, itemIds) ? 1 : -1);
            starts[user + 1] = starts[user] + rows.Count;
            for (var position = 0; position < rows.Count; position++)
            {
                items[starts[user] + position] = sessionItems[rows[position]];
            }
        }
        return new SessionScorer(model, starts, items);
    }

    /// <summary>The session of <paramref name="user"/>, oldest first (empty for a user who is not held out).</summary>
    public ReadOnlySpan<int> SessionOf(int user) => _items.AsSpan(_starts[user], _starts[user + 1] - _starts[user]);

    public void ScoreUsers(ReadOnlySpan<int> users, Span<float> scores)
    {
        var itemCount = ItemCount;
        if (scores.Length != users.Length * itemCount)
        {
            throw new ArgumentException($"Expected {users.Length} × {itemCount} scores, got {scores.Length}.", nameof(scores));
        }
        for (var row = 0; row < users.Length; row++)
        {
            _model.ScoreHistory(SessionOf(users[row]), scores.Slice(row * itemCount, itemCount));
        }
    }
}
