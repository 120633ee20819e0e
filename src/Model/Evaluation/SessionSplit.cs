using System.Globalization;
using Recommender.Model.Data;

namespace Recommender.Model.Evaluation;

/// <summary>
/// The session protocol: measures what <c>POST /api/recommendations</c> answers for people the model never saw. A
/// seeded <see cref="SessionSplitOptions.HeldOutShare"/> of the users with at least 3 interactions (at least
/// <see cref="SessionSplitOptions.MinHeldOutUsers"/>) is held out of training entirely: each one's last movie is Test
/// and the movies before it are the session (<see cref="DataSplit.Sessions"/>), the input from which a model must
/// rank the full catalogue. Every other user's last movie is Validation (early stopping) and the rest Train; users
/// with fewer than 3 interactions go wholly to Train. Time order as in leave-one-out (ties by raw movieId).
/// </summary>
public sealed class SessionSplit : ISplitProtocol
{
    private const int MinimumUserInteractions = 3;

    private readonly SessionSplitOptions _options;
    private readonly int _k;

    public SessionSplit(SessionSplitOptions options, int k)
    {
        if (!(options.HeldOutShare > 0 && options.HeldOutShare < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.HeldOutShare, "SessionSplitOptions.HeldOutShare must lie strictly between 0 and 1.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(options.MinHeldOutUsers, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        _options = options;
        _k = k;
    }

    public string Name => SplitProtocols.Session;

    public DataSplit Split(MovieLensDataset dataset, int seed)
    {
        var interactions = dataset.Interactions;
        var parts = new SplitPart[interactions.Count];
        var (starts, rows) = SplitAssignment.GroupRows(interactions.Users, interactions.UserCount, parts);
        var eligible = Enumerable.Range(0, interactions.UserCount)
            .Where(user => starts[user + 1] - starts[user] >= MinimumUserInteractions)
            .ToArray();
        if (eligible.Length < 2)
        {
            throw new InvalidOperationException(
                $"The session protocol needs at least 2 users with {MinimumUserInteractions} or more interactions; {dataset.Name} has {eligible.Length}.");
        }
        var heldOutCount = Math.Max((int)Math.Ceiling(eligible.Length * _options.HeldOutShare), Math.Min(_options.MinHeldOutUsers, eligible.Length - 1));
        new Random(seed).Shuffle(eligible);
        var heldOut = new bool[interactions.UserCount];
        foreach (var user in eligible.AsSpan(0, heldOutCount))
        {
            heldOut[user] = true;
        }

        var timestamps = interactions.Timestamps;
        var items = interactions.Items;
        var itemIds = dataset.Items;
        foreach (var user in eligible)
        {
            var userRows = rows.AsSpan(starts[user], starts[user + 1] - starts[user]);
            var last = userRows[0];
            foreach (var row in userRows[1..])
            {
                if (SplitAssignment.IsLater(row, last, timestamps, items, itemIds))
                {
                    last = row;
                }
            }
            foreach (var row in userRows)
            {
                parts[row] = heldOut[user] ? SplitPart.Session : SplitPart.Train;
            }
            parts[last] = heldOut[user] ? SplitPart.Test : SplitPart.Validation;
        }

        var parameters = new Dictionary<string, string>
        {
            ["held_out_share"] = _options.HeldOutShare.ToString(CultureInfo.InvariantCulture),
            ["held_out_users"] = heldOutCount.ToString(CultureInfo.InvariantCulture),
            ["users_only_in_train"] = (interactions.UserCount - eligible.Length).ToString(CultureInfo.InvariantCulture),
        };
        return SplitAssignment.ToSplit(dataset, parts, Name, seed, _k, parameters);
    }
}
