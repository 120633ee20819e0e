using System.Globalization;
using Recommender.Model.Data;

namespace Recommender.Model.Evaluation;

/// <summary>Where each interaction of a data set goes; rows keep their data set order within each table.</summary>
internal enum SplitPart : byte
{
    Train,
    Validation,
    Test,

    /// <summary>A held-out user's history before their Test movie (the session protocol).</summary>
    Session,
    Removed,
}

internal static class SplitAssignment
{
    public static DataSplit ToSplit(
        MovieLensDataset dataset, ReadOnlySpan<SplitPart> parts, string protocol, int seed, int k,
        IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var interactions = dataset.Interactions;
        return new DataSplit
        {
            Dataset = dataset,
            Protocol = protocol,
            Seed = seed,
            K = k,
            Parameters = parameters,
            Train = interactions.Select(RowsOf(parts, SplitPart.Train)),
            Validation = interactions.Select(RowsOf(parts, SplitPart.Validation)),
            Test = interactions.Select(RowsOf(parts, SplitPart.Test)),
            Sessions = protocol == SplitProtocols.Session ? interactions.Select(RowsOf(parts, SplitPart.Session)) : null,
        };
    }

    /// <summary>Time order of the per-user protocols: by timestamp, equal timestamps by raw movieId (not file order).</summary>
    public static bool IsLater(int row, int than, ReadOnlySpan<long> timestamps, ReadOnlySpan<int> items, IdIndex itemIds) =>
        timestamps[row] != timestamps[than]
            ? timestamps[row] > timestamps[than]
            : itemIds.GetRawId(items[row]) > itemIds.GetRawId(items[than]);

    private static int[] RowsOf(ReadOnlySpan<SplitPart> parts, SplitPart part)
    {
        var count = 0;
        foreach (var assigned in parts)
        {
            if (assigned == part)
            {
                count++;
            }
        }
        var rows = new int[count];
        var next = 0;
        for (var row = 0; row < parts.Length; row++)
        {
            if (parts[row] == part)
            {
                rows[next++] = row;
            }
        }
        return rows;
    }

    /// <summary>The interaction rows of each user: rows of user u are <c>Rows[Starts[u]..Starts[u + 1]]</c>, in data set order.</summary>
    public static (int[] Starts, int[] Rows) GroupRows(ReadOnlySpan<int> keys, int keyCount, ReadOnlySpan<SplitPart> parts)
    {
        var starts = new int[keyCount + 1];
        for (var row = 0; row < keys.Length; row++)
        {
            if (parts[row] != SplitPart.Removed)
            {
                starts[keys[row] + 1]++;
            }
        }
        for (var key = 0; key < keyCount; key++)
        {
            starts[key + 1] += starts[key];
        }
        var rows = new int[starts[keyCount]];
        var fill = starts.AsSpan(0, keyCount).ToArray();
        for (var row = 0; row < keys.Length; row++)
        {
            if (parts[row] != SplitPart.Removed)
            {
                rows[fill[keys[row]]++] = row;
            }
        }
        return (starts, rows);
    }

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
