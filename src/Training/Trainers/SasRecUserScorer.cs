using Recommender.Model.Evaluation;
using Recommender.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Trainers;

/// <summary>
/// Scores users by SASRec's state after their most recent L history items · the item table; a user without history
/// gets the popularity scores. Owns the CPU tensors it computes.
/// </summary>
internal sealed class SasRecUserScorer : IItemScorer, IDisposable
{
    private const int EncodeBatchSize = 256;

    private readonly Tensor _userVectors;
    private readonly Tensor _itemTable;
    private readonly TableScorer _table;
    private readonly Dictionary<int, int> _rowOfUser;
    private readonly bool[] _hasHistory;
    private readonly float[] _popularity;

    /// <summary>Vectors of <paramref name="users"/> from <paramref name="histories"/>; the network must be in eval mode.</summary>
    public SasRecUserScorer(SasRecNetwork network, Device device, IReadOnlyList<int> users, UserHistories histories, float[] popularity)
    {
        _popularity = popularity;
        _hasHistory = users.Select(u => histories.Length(u) > 0).ToArray();
        _rowOfUser = new Dictionary<int, int>(users.Count);
        for (var row = 0; row < users.Count; row++)
        {
            _rowOfUser[users[row]] = row;
        }
        using (no_grad())
        {
            _itemTable = network.ItemTable.cpu().contiguous().detach().DetachFromDisposeScope();
            var recent = users.Select(u => histories.RecentItems(u, network.MaxLength).ToArray()).ToArray();
            _userVectors = LastStates(network, device, recent).DetachFromDisposeScope();
        }
        _table = new TableScorer(_userVectors, _itemTable, _rowOfUser);
    }

    public int ItemCount => _popularity.Length;

    public void ScoreUsers(ReadOnlySpan<int> users, Span<float> scores)
    {
        _table.ScoreUsers(users, scores);
        for (var row = 0; row < users.Length; row++)
        {
            if (!_hasHistory[_rowOfUser[users[row]]])
            {
                _popularity.CopyTo(scores.Slice(row * ItemCount, ItemCount));
            }
        }
    }

    /// <summary>
    /// The last valid state [histories.Count, D] (CPU) of each history (oldest first, at most L items), in batches;
    /// an empty history gets a zero row. The caller holds no_grad and eval mode.
    /// </summary>
    public static Tensor LastStates(SasRecNetwork network, Device device, IReadOnlyList<int[]> histories)
    {
        var parts = new List<Tensor>();
        using var scope = NewDisposeScope();
        for (var start = 0; start < histories.Count; start += EncodeBatchSize)
        {
            var count = Math.Min(EncodeBatchSize, histories.Count - start);
            var width = Math.Max(1, Enumerable.Range(start, count).Max(i => histories[i].Length));
            var padded = new long[count * width];
            Array.Fill(padded, network.ItemCount);
            var lengths = new long[count];
            for (var b = 0; b < count; b++)
            {
                var history = histories[start + b];
                for (var t = 0; t < history.Length; t++)
                {
                    padded[b * width + t] = history[t];
                }
                // An empty history is encoded as the single item 0 (attention needs one key) and its state zeroed below.
                lengths[b] = Math.Max(1, history.Length);
                if (history.Length == 0)
                {
                    padded[b * width] = 0;
                }
            }
            using var batchScope = NewDisposeScope();
            var states = network.EncodeLast(tensor(padded, [count, width], device: device), tensor(lengths, device: device));
            var empty = tensor(Enumerable.Range(start, count).Select(i => histories[i].Length == 0).ToArray(), device: device).unsqueeze(1);
            parts.Add(states.masked_fill(empty, 0).cpu().MoveToOuterDisposeScope());
        }
        var result = parts.Count == 0 ? zeros(0, network.ItemTable.shape[1]) : parts.Count == 1 ? parts[0] : cat(parts, 0);
        return result.contiguous().MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _table.Dispose();
        _userVectors.Dispose();
        _itemTable.Dispose();
    }
}
