using Recommender.Model.Data;

namespace Recommender.Training.Trainers;

/// <summary>Each user's distinct items, sorted, stored CSR-style; membership by binary search.</summary>
internal sealed class ItemSets
{
    private readonly int[] _offsets;
    private readonly int[] _items;

    private ItemSets(int[] offsets, int[] items)
    {
        _offsets = offsets;
        _items = items;
    }

    public int UserCount => _offsets.Length - 1;

    public ReadOnlySpan<int> ItemsOf(int user) => _items.AsSpan(_offsets[user], _offsets[user + 1] - _offsets[user]);

    public int Count(int user) => _offsets[user + 1] - _offsets[user];

    public bool Contains(int user, int item) => ItemsOf(user).BinarySearch(item) >= 0;

    public static ItemSets Build(params InteractionTable[] tables)
    {
        var userCount = tables[0].UserCount;
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
        var cursor = (int[])counts.Clone();
        var raw = new int[counts[userCount]];
        foreach (var table in tables)
        {
            for (var row = 0; row < table.Count; row++)
            {
                raw[cursor[table.Users[row]]++] = table.Items[row];
            }
        }
        var offsets = new int[userCount + 1];
        var items = new List<int>(raw.Length);
        for (var u = 0; u < userCount; u++)
        {
            var segment = raw.AsSpan(counts[u], counts[u + 1] - counts[u]);
            segment.Sort();
            for (var i = 0; i < segment.Length; i++)
            {
                if (i == 0 || segment[i] != segment[i - 1])
                {
                    items.Add(segment[i]);
                }
            }
            offsets[u + 1] = items.Count;
        }
        return new ItemSets(offsets, [.. items]);
    }
}
