using System.Globalization;
using Recommender.Model.Data;

namespace Recommender.Model.Evaluation;

/// <summary>
/// RecBole's sequential leave-one-out protocol. Interactions rated below <see cref="LeaveOneOutOptions.MinRating"/>
/// are removed, then the <see cref="LeaveOneOutOptions.KCore"/> filter runs; then, per user in time order
/// (equal timestamps ordered by raw movieId, so the order does not depend on file order), the last interaction
/// is Test, the one before Validation and the rest Train. Users left with fewer than 3 interactions go wholly to
/// Train. Ranking is against the full catalogue (no sampled negatives). The seed does not change the result.
/// </summary>
public sealed class LeaveOneOutSplit : ISplitProtocol
{
    private const int MinimumUserInteractions = 3;

    private readonly LeaveOneOutOptions _options;
    private readonly int _k;

    public LeaveOneOutSplit(LeaveOneOutOptions options, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.KCore, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        _options = options;
        _k = k;
    }

    public string Name => SplitProtocols.LeaveOneOut;

    public DataSplit Split(MovieLensDataset dataset, int seed)
    {
        var interactions = dataset.Interactions;
        var parts = new SplitPart[interactions.Count];

        var belowMinRating = 0;
        if (_options.MinRating is { } minRating)
        {
            var ratings = interactions.Ratings;
            for (var row = 0; row < ratings.Length; row++)
            {
                if (ratings[row] < minRating)
                {
                    parts[row] = SplitPart.Removed;
                    belowMinRating++;
                }
            }
        }
        var removedByKCore = _options.KCore > 1 ? ApplyKCore(interactions, parts, _options.KCore) : 0;

        var timestamps = interactions.Timestamps;
        var items = interactions.Items;
        var itemIds = dataset.Items;
        var (starts, rows) = SplitAssignment.GroupRows(interactions.Users, interactions.UserCount, parts);
        var usersOnlyInTrain = 0;
        for (var user = 0; user < interactions.UserCount; user++)
        {
            var userRows = rows.AsSpan(starts[user], starts[user + 1] - starts[user]);
            if (userRows.Length == 0)
            {
                continue;
            }
            if (userRows.Length < MinimumUserInteractions)
            {
                usersOnlyInTrain++;
                continue;
            }
            var last = userRows[0];
            var beforeLast = -1;
            for (var i = 1; i < userRows.Length; i++)
            {
                var row = userRows[i];
                if (SplitAssignment.IsLater(row, last, timestamps, items, itemIds))
                {
                    beforeLast = last;
                    last = row;
                }
                else if (beforeLast < 0 || SplitAssignment.IsLater(row, beforeLast, timestamps, items, itemIds))
                {
                    beforeLast = row;
                }
            }
            parts[last] = SplitPart.Test;
            parts[beforeLast] = SplitPart.Validation;
        }

        var parameters = new Dictionary<string, string>
        {
            ["min_rating"] = _options.MinRating?.ToString(CultureInfo.InvariantCulture) ?? "none",
            ["k_core"] = _options.KCore.ToString(CultureInfo.InvariantCulture),
            ["removed_below_min_rating"] = belowMinRating.ToString(CultureInfo.InvariantCulture),
            ["removed_by_k_core"] = removedByKCore.ToString(CultureInfo.InvariantCulture),
            ["users_only_in_train"] = usersOnlyInTrain.ToString(CultureInfo.InvariantCulture),
        };
        return SplitAssignment.ToSplit(dataset, parts, Name, seed, _k, parameters);
    }

    /// <summary>Marks as removed, until nothing changes, the rows of users and items with fewer than k kept rows.</summary>
    private static int ApplyKCore(InteractionTable interactions, SplitPart[] parts, int k)
    {
        var users = interactions.Users;
        var items = interactions.Items;
        var userCounts = new int[interactions.UserCount];
        var itemCounts = new int[interactions.ItemCount];
        var removed = 0;
        bool changed;
        do
        {
            Array.Clear(userCounts);
            Array.Clear(itemCounts);
            for (var row = 0; row < parts.Length; row++)
            {
                if (parts[row] != SplitPart.Removed)
                {
                    userCounts[users[row]]++;
                    itemCounts[items[row]]++;
                }
            }
            changed = false;
            for (var row = 0; row < parts.Length; row++)
            {
                if (parts[row] != SplitPart.Removed && (userCounts[users[row]] < k || itemCounts[items[row]] < k))
                {
                    parts[row] = SplitPart.Removed;
                    removed++;
                    changed = true;
                }
            }
        }
        while (changed);
        return removed;
    }
}
