using System.Runtime.CompilerServices;

namespace Recommender.Model.Data.Parsing;

/// <summary>
/// Turns raw rating columns into an <see cref="InteractionTable"/>: raw ids become dense indices in order of first
/// appearance, and each duplicate (user, movie) pair keeps only its latest row (by timestamp; on a tie, the later row).
/// </summary>
internal static class InteractionAssembler
{
    /// <summary>Raw ids up to this bound are mapped through a flat array instead of a dictionary.</summary>
    private const int MaxDirectMappedId = 1 << 24;

    public sealed record Result(InteractionTable Interactions, IdIndex Users, IdIndex Items, int DuplicatesMerged);

    public static Result Assemble(RawRatings raw, int parallelism)
    {
        var users = raw.Users;
        var items = raw.Items;
        var ratings = raw.Ratings;
        var timestamps = raw.Timestamps;
        IdIndex? userIndex = null;
        IdIndex? itemIndex = null;
        var groupedByUser = false;
        if (parallelism > 1)
        {
            Parallel.Invoke(() => userIndex = MapToDenseIndices(users, out groupedByUser), () => itemIndex = MapToDenseIndices(items, out _));
        }
        else
        {
            userIndex = MapToDenseIndices(users, out groupedByUser);
            itemIndex = MapToDenseIndices(items, out _);
        }

        var dropped = FindSupersededDuplicates(users, items, timestamps, userIndex!.Count, itemIndex!.Count, groupedByUser);
        if (dropped.Count > 0)
        {
            dropped.Sort();
            users = WithoutRows(users, dropped);
            items = WithoutRows(items, dropped);
            ratings = WithoutRows(ratings, dropped);
            timestamps = WithoutRows(timestamps, dropped);
        }
        var table = new InteractionTable(users, items, ratings, timestamps, userIndex.Count, itemIndex.Count);
        return new Result(table, userIndex, itemIndex, dropped.Count);
    }

    /// <summary>
    /// Replaces raw ids by dense indices in place. <paramref name="grouped"/> tells whether each id's rows are
    /// contiguous (MovieLens files list each user's ratings together), which lets duplicates be found in one pass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static IdIndex MapToDenseIndices(int[] ids, out bool grouped)
    {
        grouped = true;
        var firstAppearance = new List<int>();
        if (ids.Length == 0)
        {
            return new IdIndex();
        }
        var maxId = ids.Max();
        var previousId = -1;
        var previousIndex = -1;
        if (maxId <= MaxDirectMappedId)
        {
            // Slot holds index + 1; 0 means not seen yet.
            var slots = new int[maxId + 1];
            for (var row = 0; row < ids.Length; row++)
            {
                var id = ids[row];
                if (id != previousId)
                {
                    ref var slot = ref slots[id];
                    if (slot == 0)
                    {
                        firstAppearance.Add(id);
                        slot = firstAppearance.Count;
                    }
                    else
                    {
                        grouped = false;
                    }
                    previousId = id;
                    previousIndex = slot - 1;
                }
                ids[row] = previousIndex;
            }
        }
        else
        {
            var indexById = new Dictionary<int, int>();
            for (var row = 0; row < ids.Length; row++)
            {
                var id = ids[row];
                if (id != previousId)
                {
                    if (!indexById.TryGetValue(id, out previousIndex))
                    {
                        previousIndex = firstAppearance.Count;
                        indexById.Add(id, previousIndex);
                        firstAppearance.Add(id);
                    }
                    else
                    {
                        grouped = false;
                    }
                    previousId = id;
                }
                ids[row] = previousIndex;
            }
        }

        var index = new IdIndex(firstAppearance.Count);
        foreach (var id in firstAppearance)
        {
            index.GetOrAdd(id);
        }
        index.TrimExcess();
        return index;
    }

    /// <summary>Rows that lose to a later-or-equal timestamp for the same (user, item); visited in file order per user.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<int> FindSupersededDuplicates(int[] users, int[] items, long[] timestamps, int userCount, int itemCount,
        bool groupedByUser)
    {
        var dropped = new List<int>();
        // Which user last rated each item, and that user's surviving row for it.
        var lastUser = new int[itemCount];
        Array.Fill(lastUser, -1);
        var keptRow = new int[itemCount];
        var order = groupedByUser ? null : RowsGroupedByUser(users, userCount);
        for (var position = 0; position < users.Length; position++)
        {
            var row = order is null ? position : order[position];
            var user = users[row];
            var item = items[row];
            if (lastUser[item] != user)
            {
                lastUser[item] = user;
                keptRow[item] = row;
                continue;
            }
            var kept = keptRow[item];
            if (timestamps[row] >= timestamps[kept])
            {
                dropped.Add(kept);
                keptRow[item] = row;
            }
            else
            {
                dropped.Add(row);
            }
        }
        return dropped;
    }

    /// <summary>A stable counting sort of row numbers by user.</summary>
    private static int[] RowsGroupedByUser(int[] users, int userCount)
    {
        var starts = new int[userCount + 1];
        foreach (var user in users)
        {
            starts[user + 1]++;
        }
        for (var user = 0; user < userCount; user++)
        {
            starts[user + 1] += starts[user];
        }
        var rows = new int[users.Length];
        for (var row = 0; row < users.Length; row++)
        {
            rows[starts[users[row]]++] = row;
        }
        return rows;
    }

    private static T[] WithoutRows<T>(T[] column, List<int> sortedDroppedRows)
    {
        var result = new T[column.Length - sortedDroppedRows.Count];
        var source = 0;
        var target = 0;
        foreach (var droppedRow in sortedDroppedRows)
        {
            var run = droppedRow - source;
            column.AsSpan(source, run).CopyTo(result.AsSpan(target));
            target += run;
            source = droppedRow + 1;
        }
        column.AsSpan(source).CopyTo(result.AsSpan(target));
        return result;
    }
}
