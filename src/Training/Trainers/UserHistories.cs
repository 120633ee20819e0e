using Recommender.Model.Data;

namespace Recommender.Training.Trainers;

/// <summary>
/// Every user's interactions in time order (ties keep table order), stored CSR-style:
/// user u's rows are Items/Ratings[Offsets[u]..Offsets[u+1]).
/// </summary>
internal sealed class UserHistories
{
    private UserHistories(int[] offsets, int[] items, float[] ratings)
    {
        Offsets = offsets;
        Items = items;
        Ratings = ratings;
    }

    public int[] Offsets { get; }
    public int[] Items { get; }
    public float[] Ratings { get; }

    public int UserCount => Offsets.Length - 1;

    public int Length(int user) => Offsets[user + 1] - Offsets[user];

    public ReadOnlySpan<int> ItemsOf(int user) => Items.AsSpan(Offsets[user], Length(user));

    /// <summary>The most recent <paramref name="maxLength"/> items of the user, oldest first.</summary>
    public ReadOnlySpan<int> RecentItems(int user, int maxLength)
    {
        var length = Length(user);
        var take = Math.Min(length, maxLength);
        return Items.AsSpan(Offsets[user + 1] - take, take);
    }

    public static UserHistories Build(params InteractionTable[] tables)
    {
        var userCount = tables[0].UserCount;
        var total = tables.Sum(t => t.Count);
        var counts = new int[userCount + 1];
        foreach (var table in tables)
        {
            foreach (var user in table.Users)
            {
                counts[user + 1]++;
            }
        }
        for (var u = 0; u < userCount; u++)
        {
            counts[u + 1] += counts[u];
        }
        var offsets = (int[])counts.Clone();
        var cursor = (int[])counts.Clone();
        var items = new int[total];
        var ratings = new float[total];
        var times = new long[total];
        var order = new long[total];
        long sequence = 0;
        foreach (var table in tables)
        {
            for (var row = 0; row < table.Count; row++)
            {
                var slot = cursor[table.Users[row]]++;
                items[slot] = table.Items[row];
                ratings[slot] = table.Ratings[row];
                times[slot] = table.Timestamps[row];
                order[slot] = sequence++;
            }
        }
        var keys = new (long Time, long Order)[total];
        var permutation = new int[total];
        for (var i = 0; i < total; i++)
        {
            keys[i] = (times[i], order[i]);
            permutation[i] = i;
        }
        for (var u = 0; u < userCount; u++)
        {
            Array.Sort(keys, permutation, offsets[u], offsets[u + 1] - offsets[u]);
        }
        var sortedItems = new int[total];
        var sortedRatings = new float[total];
        for (var i = 0; i < total; i++)
        {
            sortedItems[i] = items[permutation[i]];
            sortedRatings[i] = ratings[permutation[i]];
        }
        return new UserHistories(offsets, sortedItems, sortedRatings);
    }
}
