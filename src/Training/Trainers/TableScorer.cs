using System.Runtime.InteropServices;
using Recommender.Model.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Trainers;

/// <summary>
/// Scores u · E[i] for precomputed user vectors U [users, D] and the movie table E [N, D] (CPU tensors it owns).
/// <paramref name="rowOfUser"/> maps a user index to its row of U (identity when null). The caller keeps ownership
/// of the two tensors.
/// </summary>
internal sealed class TableScorer(Tensor userVectors, Tensor itemTable, IReadOnlyDictionary<int, int>? rowOfUser = null) : IItemScorer, IDisposable
{
    private readonly Tensor _itemTableTransposed = itemTable.t().contiguous();

    public int ItemCount { get; } = (int)itemTable.shape[0];

    public void ScoreUsers(ReadOnlySpan<int> users, Span<float> scores)
    {
        if (scores.Length != users.Length * ItemCount)
        {
            throw new ArgumentException($"scores must hold users.Length × ItemCount = {users.Length * ItemCount} values.", nameof(scores));
        }
        var rows = new long[users.Length];
        for (var i = 0; i < users.Length; i++)
        {
            rows[i] = rowOfUser is null ? users[i] : rowOfUser[users[i]];
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var result = userVectors.index_select(0, tensor(rows)).mm(_itemTableTransposed).contiguous();
        MemoryMarshal.Cast<byte, float>(result.bytes).CopyTo(scores);
    }

    public void Dispose()
    {
        _itemTableTransposed.Dispose();
    }
}
