using Recommender.Model.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Models;

/// <summary>
/// The bipartite user–movie graph of the training interactions over U + N nodes (users first, then movies).
/// Repeated (user, movie) pairs are merged by adding their weights.
/// </summary>
internal sealed class InteractionGraph
{
    private readonly int[] _edgeUsers;
    private readonly int[] _edgeItems;
    private readonly float[] _edgeWeights;

    private InteractionGraph(int userCount, int itemCount, int[] edgeUsers, int[] edgeItems, float[] edgeWeights)
    {
        UserCount = userCount;
        ItemCount = itemCount;
        _edgeUsers = edgeUsers;
        _edgeItems = edgeItems;
        _edgeWeights = edgeWeights;
    }

    public int UserCount { get; }
    public int ItemCount { get; }
    public int NodeCount => UserCount + ItemCount;
    public int EdgeCount => _edgeUsers.Length;

    /// <summary>
    /// The graph of the tables' interactions (all over the same user and movie index spaces); interactions rated below
    /// <paramref name="minRating"/> (when given) are not edges.
    /// </summary>
    public static InteractionGraph Build(IReadOnlyList<InteractionTable> tables, float? minRating, bool weightByRating)
    {
        var train = tables[0];
        var keys = new List<long>(tables.Sum(t => t.Count));
        var weights = new List<float>(keys.Capacity);
        foreach (var table in tables)
        {
            for (var row = 0; row < table.Count; row++)
            {
                var rating = table.Ratings[row];
                if (minRating is { } min && rating < min)
                {
                    continue;
                }
                keys.Add((long)table.Users[row] * train.ItemCount + table.Items[row]);
                weights.Add(weightByRating ? rating : 1f);
            }
        }
        var keyArray = keys.ToArray();
        var weightArray = weights.ToArray();
        Array.Sort(keyArray, weightArray);

        var users = new List<int>(keyArray.Length);
        var items = new List<int>(keyArray.Length);
        var merged = new List<float>(keyArray.Length);
        for (var i = 0; i < keyArray.Length; i++)
        {
            if (i > 0 && keyArray[i] == keyArray[i - 1])
            {
                merged[^1] += weightArray[i];
                continue;
            }
            users.Add((int)(keyArray[i] / train.ItemCount));
            items.Add((int)(keyArray[i] % train.ItemCount));
            merged.Add(weightArray[i]);
        }
        return new InteractionGraph(train.UserCount, train.ItemCount, [.. users], [.. items], [.. merged]);
    }

    /// <summary>Weighted degree of every node (users, then movies).</summary>
    public double[] Degrees()
    {
        var degrees = new double[NodeCount];
        for (var e = 0; e < EdgeCount; e++)
        {
            degrees[_edgeUsers[e]] += _edgeWeights[e];
            degrees[UserCount + _edgeItems[e]] += _edgeWeights[e];
        }
        return degrees;
    }

    /// <summary>Whether the user has at least one edge.</summary>
    public bool[] ConnectedUsers()
    {
        var connected = new bool[UserCount];
        foreach (var user in _edgeUsers)
        {
            connected[user] = true;
        }
        return connected;
    }

    /// <summary>D^-1/2 A D^-1/2 as a sparse COO tensor [U+N, U+N] (LightGCN propagation).</summary>
    public Tensor SymmetricAdjacency(Device device)
    {
        var degrees = Degrees();
        return Adjacency(device, (row, col, weight) => (float)(weight / Math.Sqrt(degrees[row] * degrees[col])));
    }

    /// <summary>
    /// D^-1/2 A D^-1/2 [U+N, U+N] in compressed-row form, the LightGCN propagation on the CPU (the same values as
    /// <see cref="SymmetricAdjacency"/>); each row's neighbours in ascending order.
    /// </summary>
    public CsrMatrix SymmetricCsr()
    {
        var degrees = Degrees();
        var rowStarts = new int[NodeCount + 1];
        foreach (var user in _edgeUsers)
        {
            rowStarts[user + 1]++;
        }
        foreach (var item in _edgeItems)
        {
            rowStarts[UserCount + item + 1]++;
        }
        for (var node = 0; node < NodeCount; node++)
        {
            rowStarts[node + 1] += rowStarts[node];
        }
        var next = rowStarts[..^1];
        var columns = new int[2 * EdgeCount];
        var values = new float[2 * EdgeCount];
        // Edges are sorted by user, then movie, so every row is filled in ascending column order.
        for (var e = 0; e < EdgeCount; e++)
        {
            var user = _edgeUsers[e];
            var item = UserCount + _edgeItems[e];
            var value = (float)(_edgeWeights[e] / Math.Sqrt(degrees[user] * degrees[item]));
            columns[next[user]] = item;
            values[next[user]++] = value;
            columns[next[item]] = user;
            values[next[item]++] = value;
        }
        return new CsrMatrix(NodeCount, rowStarts, columns, values);
    }

    /// <summary>D^-1 A as a sparse COO tensor [U+N, U+N]: row i averages node i's neighbours (GraphSAGE mean).</summary>
    public Tensor MeanAdjacency(Device device)
    {
        var degrees = Degrees();
        return Adjacency(device, (row, _, weight) => (float)(weight / degrees[row]));
    }

    private Tensor Adjacency(Device device, Func<int, int, float, float> normalise)
    {
        var count = 2 * EdgeCount;
        var indices = new long[2 * count];
        var values = new float[count];
        for (var e = 0; e < EdgeCount; e++)
        {
            var user = _edgeUsers[e];
            var item = UserCount + _edgeItems[e];
            indices[e] = user;
            indices[count + e] = item;
            values[e] = normalise(user, item, _edgeWeights[e]);
            indices[EdgeCount + e] = item;
            indices[count + EdgeCount + e] = user;
            values[EdgeCount + e] = normalise(item, user, _edgeWeights[e]);
        }
        using var scope = NewDisposeScope();
        var indexTensor = tensor(indices, [2, count], ScalarType.Int64);
        var valueTensor = tensor(values, [count], ScalarType.Float32);
        var adjacency = sparse_coo_tensor(indexTensor, valueTensor, [NodeCount, NodeCount]).to(device);
        return adjacency.MoveToOuterDisposeScope();
    }
}
