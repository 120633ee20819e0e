using Recommender.Model.Data;

namespace Recommender.Model.Evaluation;

/// <summary>The distinct items of each user over one or more tables, sorted ascending (CSR layout).</summary>
public sealed class UserItemLists
{
    private readonly int[] _starts;
    private readonly int[] _items;

    private UserItemLists(int[] starts, int[] items)
    {
        _starts = starts;
        _items = items;
    }

    public int UserCount => _starts.Length - 1;

    public ReadOnlySpan<int> ItemsOf(int user) => _items.AsSpan(_starts[user], _starts[user + 1] - _starts[user]);

    public int Count(int user) => _starts[user + 1] - _starts[user];

    public bool Contains(int user, int item) => ItemsOf(user).BinarySearch(item) >= 0;

    public int[] UsersWithItems()
    {
        var users = new List<int>();
        for (var user = 0; user + 1 < _starts.Length; user++)
        {
            if (_starts[user + 1] > _starts[user])
            {
                users.Add(user);
            }
        }
        return [.. users];
    }

    public static UserItemLists Build(params IReadOnlyList<InteractionTable> tables)
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
        for (var user = 0; user < userCount; user++)
        {
            counts[user + 1] += counts[user];
        }
        var items = new int[counts[userCount]];
        var fill = counts.AsSpan(0, userCount).ToArray();
        foreach (var table in tables)
        {
            var tableUsers = table.Users;
            var tableItems = table.Items;
            for (var row = 0; row < tableUsers.Length; row++)
            {
                items[fill[tableUsers[row]]++] = tableItems[row];
            }
        }

        // Sort each user's items and squeeze out duplicates in place.
        var starts = new int[userCount + 1];
        var write = 0;
        for (var user = 0; user < userCount; user++)
        {
            var userItems = items.AsSpan(counts[user], counts[user + 1] - counts[user]);
            userItems.Sort();
            starts[user] = write;
            for (var i = 0; i < userItems.Length; i++)
            {
                if (i == 0 || userItems[i] != userItems[i - 1])
                {
                    items[write++] = userItems[i];
                }
            }
        }
        starts[userCount] = write;
        return new UserItemLists(starts, items);
    }
}
