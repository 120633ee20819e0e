using Recommender.Model.Bundle;
using Recommender.Model.Data;

namespace Recommender.Training.Export;

/// <summary>What a bundle needs besides the trained weights: catalogue, users, histories, popularity, provenance.</summary>
public sealed class BundleExportData
{
    /// <summary>The catalogue in item-index order (one entry per row of the movie table).</summary>
    public required IReadOnlyList<BundleMovie> Movies { get; init; }

    /// <summary>MovieLens user id per user index (one entry per row of the user table).</summary>
    public required int[] UserIds { get; init; }

    /// <summary>Per user, the most recent at most L item indices, oldest first.</summary>
    public required RaggedIndexTable History { get; init; }

    /// <summary>Per user, every item index interacted with, ascending.</summary>
    public required RaggedIndexTable Seen { get; init; }

    /// <summary>Item indices, most popular first, and their scores.</summary>
    public required int[] PopularityItems { get; init; }
    public required float[] PopularityScores { get; init; }

    public required string DatasetFingerprint { get; init; }

    /// <summary>The newest interaction the histories come from; null when unknown (synthetic data).</summary>
    public DateTimeOffset? DataEndUtc { get; init; }
    public IReadOnlyDictionary<string, string> HyperParameters { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// Derives the export data from the interactions the model learned from: histories are each user's last
    /// <paramref name="maxHistory"/> items by timestamp (ties in row order), seen sets are all their items, and
    /// popularity is the interaction count per item (ties to the lower index).
    /// </summary>
    public static BundleExportData FromInteractions(
        MovieLensDataset dataset, InteractionTable interactions, int maxHistory,
        IReadOnlyDictionary<string, string>? hyperParameters = null, IReadOnlyDictionary<string, double>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(interactions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxHistory);
        var userCount = dataset.Users.Count;
        var itemCount = dataset.Items.Count;
        if (interactions.UserCount != userCount || interactions.ItemCount != itemCount)
        {
            throw new ArgumentException($"The interactions span {interactions.UserCount} users x {interactions.ItemCount} items; the data set has {userCount} x {itemCount}.", nameof(interactions));
        }

        var movies = new BundleMovie[itemCount];
        for (var item = 0; item < itemCount; item++)
        {
            var movieId = dataset.Items.GetRawId(item);
            movies[item] = dataset.Movies.TryGetValue(movieId, out var info)
                ? new BundleMovie(movieId, info.Title, info.Year, info.Genres)
                : new BundleMovie(movieId, $"Movie {movieId}", null, []);
        }

        // Rows grouped by user (counting sort), then each group ordered by time.
        var users = interactions.Users;
        var rowOffsets = new int[userCount + 1];
        foreach (var user in users)
        {
            rowOffsets[user + 1]++;
        }
        for (var user = 0; user < userCount; user++)
        {
            rowOffsets[user + 1] += rowOffsets[user];
        }
        var rowsByUser = new int[interactions.Count];
        var fill = rowOffsets[..^1].ToArray();
        for (var row = 0; row < interactions.Count; row++)
        {
            rowsByUser[fill[users[row]]++] = row;
        }

        var items = interactions.Items;
        var timestamps = interactions.Timestamps;
        var historyOffsets = new int[userCount + 1];
        var history = new List<int>(userCount * Math.Min(maxHistory, 16));
        var seenOffsets = new int[userCount + 1];
        var seen = new List<int>(interactions.Count);
        var popularity = new int[itemCount];
        var userSeen = new SortedSet<int>();
        for (var user = 0; user < userCount; user++)
        {
            var rows = rowsByUser.AsSpan(rowOffsets[user], rowOffsets[user + 1] - rowOffsets[user]);
            var rowArray = rows.ToArray();
            var keys = new long[rowArray.Length];
            for (var i = 0; i < rowArray.Length; i++)
            {
                keys[i] = timestamps[rowArray[i]];
            }
            // Rows are in ascending order within the group, so a stable sort keeps row order for equal times.
            Array.Sort(keys, rowArray);
            StableFixup(keys, rowArray);
            for (var i = Math.Max(0, rowArray.Length - maxHistory); i < rowArray.Length; i++)
            {
                history.Add(items[rowArray[i]]);
            }
            historyOffsets[user + 1] = history.Count;

            userSeen.Clear();
            foreach (var row in rowArray)
            {
                userSeen.Add(items[row]);
                popularity[items[row]]++;
            }
            seen.AddRange(userSeen);
            seenOffsets[user + 1] = seen.Count;
        }

        var ranking = Enumerable.Range(0, itemCount).OrderByDescending(item => popularity[item]).ThenBy(item => item).ToArray();
        return new BundleExportData
        {
            Movies = movies,
            UserIds = dataset.Users.RawIds.ToArray(),
            History = new RaggedIndexTable(historyOffsets, [.. history]),
            Seen = new RaggedIndexTable(seenOffsets, [.. seen]),
            PopularityItems = ranking,
            PopularityScores = [.. ranking.Select(item => (float)popularity[item])],
            DatasetFingerprint = dataset.Fingerprint,
            DataEndUtc = timestamps.IsEmpty ? null : DateTimeOffset.FromUnixTimeSeconds(MaxTimestamp(timestamps)),
            HyperParameters = hyperParameters ?? new Dictionary<string, string>(),
            Metrics = metrics ?? new Dictionary<string, double>(),
        };
    }

    private static long MaxTimestamp(ReadOnlySpan<long> timestamps)
    {
        var newest = long.MinValue;
        foreach (var timestamp in timestamps)
        {
            newest = Math.Max(newest, timestamp);
        }
        return newest;
    }

    /// <summary>Array.Sort is not stable: restores ascending row order within runs of equal timestamps.</summary>
    private static void StableFixup(long[] keys, int[] rows)
    {
        var start = 0;
        for (var i = 1; i <= keys.Length; i++)
        {
            if (i == keys.Length || keys[i] != keys[start])
            {
                if (i - start > 1)
                {
                    Array.Sort(rows, start, i - start);
                }
                start = i;
            }
        }
    }
}
