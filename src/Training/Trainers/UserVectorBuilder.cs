using Recommender.Training.Models;
using static TorchSharp.torch;

namespace Recommender.Training.Trainers;

/// <summary>
/// The user vectors u of a network's current weights: the graph part (G rows, or a for users outside the graph) fused
/// with the LSTM over each user's most recent history, as at inference (docs/architecture.md).
/// </summary>
internal sealed class UserVectorBuilder(RecommenderNetwork network, bool[] connectedUsers, int maxHistory, Device device)
{
    /// <summary>User vectors [users.Length, D] from the graph tables and each user's most recent L history items.</summary>
    public Tensor Of(Tensor? graphUsers, Tensor items, int[] users, UserHistories histories)
    {
        var parts = new List<Tensor>();
        const int batchSize = 512;
        for (var start = 0; start < users.Length; start += batchSize)
        {
            var batch = users.AsSpan(start, Math.Min(batchSize, users.Length - start)).ToArray();
            // Each batch's intermediates go when it is done: only the vectors outlive it (ML-20M has 271 batches).
            using var batchScope = NewDisposeScope();
            parts.Add(Batch(graphUsers, items, batch, histories).MoveToOuterDisposeScope());
        }
        return parts.Count == 1 ? parts[0] : cat(parts, 0);
    }

    private Tensor Batch(Tensor? graphUsers, Tensor items, int[] users, UserHistories histories)
    {
        Tensor? graphPart = graphUsers is null ? null : GraphPart(graphUsers, users, anonymous: null);
        if (network.Sequence is null)
        {
            return graphPart!;
        }
        var maxLength = Math.Max(1, users.Max(u => Math.Min(histories.Length(u), maxHistory)));
        var padded = new long[users.Length * maxLength];
        var lengths = new long[users.Length];
        var lastItems = new long[users.Length];
        var hasHistory = new bool[users.Length];
        for (var b = 0; b < users.Length; b++)
        {
            var recent = histories.RecentItems(users[b], maxHistory);
            for (var t = 0; t < recent.Length; t++)
            {
                padded[b * maxLength + t] = recent[t];
            }
            lengths[b] = Math.Max(1, recent.Length);
            lastItems[b] = recent.Length > 0 ? recent[^1] : 0;
            hasHistory[b] = recent.Length > 0;
        }
        var inputs = RecommenderNetwork.SequenceInputs(items, tensor(padded, [users.Length, maxLength], device: device), keep: null);
        var sequencePart = network.Sequence.EncodeLast(inputs, tensor(lengths, device: device));
        var combined = network.Combine(graphPart, sequencePart, network.Transition(tensor(lastItems, device: device)));
        // A user without history is scored by the graph part alone (docs/architecture.md); without a graph part, by nothing.
        var fallback = graphPart ?? zeros_like(combined);
        var mask = tensor(hasHistory, device: device).unsqueeze(1);
        return where(mask, combined, fallback);
    }

    /// <summary>G rows of the users; users outside the graph (or chosen by <paramref name="anonymous"/>) get a.</summary>
    public Tensor GraphPart(Tensor graphUsers, int[] users, bool[]? anonymous)
    {
        var rows = graphUsers.index_select(0, tensor(users.Select(u => (long)u).ToArray(), device: device));
        if (network.Anonymous is null)
        {
            return rows;
        }
        var useAnonymous = new bool[users.Length];
        var any = false;
        for (var b = 0; b < users.Length; b++)
        {
            useAnonymous[b] = !connectedUsers[users[b]] || (anonymous?[b] ?? false);
            any |= useAnonymous[b];
        }
        return any ? where(tensor(useAnonymous, device: device).unsqueeze(1), network.Anonymous.unsqueeze(0), rows) : rows;
    }
}
