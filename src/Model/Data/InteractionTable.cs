namespace Recommender.Model.Data;

/// <summary>
/// Columnar user–movie interactions over dense index spaces shared by every table cut from the same data set.
/// Each column has exactly <see cref="Count"/> elements; row i is (Users[i], Items[i], Ratings[i], Timestamps[i]).
/// </summary>
public sealed class InteractionTable
{
    private readonly int[] _users;
    private readonly int[] _items;
    private readonly float[] _ratings;
    private readonly long[] _timestamps;

    public InteractionTable(int[] users, int[] items, float[] ratings, long[] timestamps, int userCount, int itemCount)
    {
        if (items.Length != users.Length || ratings.Length != users.Length || timestamps.Length != users.Length)
        {
            throw new ArgumentException("All interaction columns must have the same length.");
        }
        _users = users;
        _items = items;
        _ratings = ratings;
        _timestamps = timestamps;
        UserCount = userCount;
        ItemCount = itemCount;
    }

    public int Count => _users.Length;

    /// <summary>Size of the user index space (not the number of distinct users in this table).</summary>
    public int UserCount { get; }

    /// <summary>Size of the item index space (not the number of distinct items in this table).</summary>
    public int ItemCount { get; }

    public ReadOnlySpan<int> Users => _users;
    public ReadOnlySpan<int> Items => _items;
    public ReadOnlySpan<float> Ratings => _ratings;
    public ReadOnlySpan<long> Timestamps => _timestamps;

    public static InteractionTable Empty(int userCount, int itemCount) => new([], [], [], [], userCount, itemCount);

    /// <summary>The rows at the given positions, in the given order.</summary>
    public InteractionTable Select(ReadOnlySpan<int> rows)
    {
        var users = new int[rows.Length];
        var items = new int[rows.Length];
        var ratings = new float[rows.Length];
        var timestamps = new long[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var row = rows[i];
            users[i] = _users[row];
            items[i] = _items[row];
            ratings[i] = _ratings[row];
            timestamps[i] = _timestamps[row];
        }
        return new InteractionTable(users, items, ratings, timestamps, UserCount, ItemCount);
    }

    /// <summary>The rows of this table followed by the rows of <paramref name="other"/>.</summary>
    public InteractionTable Concat(InteractionTable other)
    {
        if (other.UserCount != UserCount || other.ItemCount != ItemCount)
        {
            throw new ArgumentException("Tables from different index spaces cannot be concatenated.", nameof(other));
        }
        return new InteractionTable(
            [.. _users, .. other._users],
            [.. _items, .. other._items],
            [.. _ratings, .. other._ratings],
            [.. _timestamps, .. other._timestamps],
            UserCount,
            ItemCount);
    }
}
