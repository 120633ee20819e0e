using System.Buffers;
using Recommender.Model.Bundle;

namespace Recommender.Model.Engine;

/// <summary>
/// The per-user top lists a bundle ships for the batch path: for every known user, the best K items with the user's
/// seen items excluded, ranked exactly as <see cref="RecommendationEngine"/> ranks them live.
/// </summary>
public static class PrecomputedRecommendations
{
    /// <summary>Rows per ONNX Runtime call when computing user vectors in bulk.</summary>
    public const int DefaultBatchSize = 256;

    /// <summary>
    /// Fills <paramref name="items"/> [users, k] with item indices (best first, -1 where fewer than k items remain)
    /// and <paramref name="scores"/> [users, k] with their scores (NaN where the item is -1).
    /// </summary>
    public static void Compute(
        UserVectorModel model, float[] movieTable, float[] userTable, RaggedIndexTable history, RaggedIndexTable seen,
        int k, int[] items, float[] scores, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (items.Length != history.RowCount * k || scores.Length != history.RowCount * k)
        {
            throw new ArgumentException($"The destinations hold {items.Length} items and {scores.Length} scores; expected {history.RowCount} users x {k}.");
        }
        var dim = model.Dim;
        var users = history.RowCount;
        var movies = movieTable.Length / dim;
        if (userTable.Length != users * dim || seen.RowCount != users || movieTable.Length != movies * dim)
        {
            throw new ArgumentException($"Tables disagree: {users} history rows, {seen.RowCount} seen rows, user table {userTable.Length} values, movie table {movieTable.Length} values, dim {dim}.");
        }
        var userVectors = ComputeUserVectors(model, userTable, history, batchSize);

        Parallel.For(0, users,
            () => (Scores: new float[movies], Excluded: new ulong[ItemFilter.BitsetLength(movies)]),
            (user, _, buffers) =>
            {
                MovieScoring.ScoreAll(movieTable, userVectors.AsSpan(user * dim, dim), buffers.Scores);
                Array.Clear(buffers.Excluded);
                foreach (var item in seen.Row(user))
                {
                    ItemFilter.Set(buffers.Excluded, item);
                }
                var rowItems = items.AsSpan(user * k, k);
                var rowScores = scores.AsSpan(user * k, k);
                var found = TopKSelector.Select(buffers.Scores, ItemFilter.Excluding(buffers.Excluded), rowItems, rowScores);
                rowItems[found..].Fill(-1);
                rowScores[found..].Fill(float.NaN);
                return buffers;
            },
            _ => { });
    }

    /// <summary>u for every user: G[user] where the history is empty, the graph's output otherwise.</summary>
    private static float[] ComputeUserVectors(UserVectorModel model, float[] userTable, RaggedIndexTable history, int batchSize)
    {
        var dim = model.Dim;
        var users = history.RowCount;
        var userVectors = new float[users * dim];
        // Batches of similar length waste few padded LSTM steps.
        var withHistory = Enumerable.Range(0, users).Where(user => history.Row(user).Length > 0)
            .OrderBy(user => history.Row(user).Length).ThenBy(user => user).ToArray();
        foreach (var user in Enumerable.Range(0, users).Where(user => history.Row(user).Length == 0))
        {
            userTable.AsSpan(user * dim, dim).CopyTo(userVectors.AsSpan(user * dim, dim));
        }
        var batches = (withHistory.Length + batchSize - 1) / batchSize;
        Parallel.For(0, batches, batch =>
        {
            var batchUsers = withHistory.AsSpan(batch * batchSize, Math.Min(batchSize, withHistory.Length - batch * batchSize));
            var steps = history.Row(batchUsers[^1]).Length;
            var histories = new long[batchUsers.Length * steps];
            var lengths = new int[batchUsers.Length];
            var graphVectors = ArrayPool<float>.Shared.Rent(batchUsers.Length * dim);
            var output = ArrayPool<float>.Shared.Rent(batchUsers.Length * dim);
            try
            {
                for (var row = 0; row < batchUsers.Length; row++)
                {
                    var items = history.Row(batchUsers[row]);
                    lengths[row] = items.Length;
                    var destination = histories.AsSpan(row * steps, steps);
                    for (var step = 0; step < steps; step++)
                    {
                        // Steps past the row's length are ignored by the LSTM; any valid index pads them.
                        destination[step] = items[Math.Min(step, items.Length - 1)];
                    }
                    userTable.AsSpan(batchUsers[row] * dim, dim).CopyTo(graphVectors.AsSpan(row * dim, dim));
                }
                model.ComputeBatch(histories, lengths, steps, graphVectors.AsSpan(0, batchUsers.Length * dim), output.AsSpan(0, batchUsers.Length * dim));
                for (var row = 0; row < batchUsers.Length; row++)
                {
                    output.AsSpan(row * dim, dim).CopyTo(userVectors.AsSpan(batchUsers[row] * dim, dim));
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(graphVectors);
                ArrayPool<float>.Shared.Return(output);
            }
        });
        return userVectors;
    }
}
