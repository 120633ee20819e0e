using Recommender.Model.Evaluation;
using static TorchSharp.torch;

namespace Recommender.Training.Trainers;

/// <summary>
/// The ranking losses a training session steps on: the configured one (<see cref="Kind"/>: full softmax, sampled
/// softmax or BPR with uniformly sampled negatives) and the multinomial loss over target sets. Negatives come from the
/// session's own <see cref="Random"/> (given per call), so a seeded run draws the same ones.
/// </summary>
internal sealed class RankingLosses(RankingLoss kind, SampledSoftmax? sampledSoftmax, UserItemLists trainItems, int itemCount, Device device)
{
    public RankingLoss Kind => kind;

    /// <summary>The configured ranking loss of each row's user vector against its target movie.</summary>
    public Tensor Of(Tensor userVectors, Tensor items, Tensor targets, Tensor? bprNegatives)
    {
        switch (Kind)
        {
            case RankingLoss.Softmax:
                return nn.functional.cross_entropy(userVectors.mm(items.t()), targets);
            case RankingLoss.SampledSoftmax:
                return sampledSoftmax!.Loss(userVectors, items, targets);
            case RankingLoss.Bpr:
                return BprLoss(userVectors, items, targets, bprNegatives ?? throw new ArgumentNullException(nameof(bprNegatives)));
            default:
                throw new InvalidOperationException($"Unresolved ranking loss {Kind}.");
        }
    }

    private static Tensor BprLoss(Tensor userVectors, Tensor items, Tensor targets, Tensor negatives)
    {
        var positive = (userVectors * items.index_select(0, targets)).sum(-1);
        var negative = (userVectors * items.index_select(0, negatives)).sum(-1);
        return nn.functional.softplus(negative - positive).mean();
    }

    /// <summary>
    /// Softmax cross-entropy over the full catalogue of each row's user vector against every movie of its target set
    /// T_b. <paramref name="perTarget"/>: the mean over all (row, target) pairs, which equals the per-pair softmax
    /// loss at the cost of one score row per user; otherwise the mean over rows of each row's mean.
    /// </summary>
    public Tensor Multinomial(Tensor userVectors, Tensor items, IReadOnlyList<int[]> targetSets, bool perTarget = false)
    {
        var totalTargets = targetSets.Sum(t => t.Length);
        var flat = new long[totalTargets];
        var weights = new float[totalTargets];
        var itemCount = items.shape[0];
        var next = 0;
        for (var b = 0; b < targetSets.Count; b++)
        {
            foreach (var item in targetSets[b])
            {
                flat[next] = b * itemCount + item;
                weights[next++] = perTarget ? 1f / totalTargets : 1f / (targetSets[b].Length * targetSets.Count);
            }
        }
        var logProbabilities = nn.functional.log_softmax(userVectors.mm(items.t()), 1);
        var picked = logProbabilities.flatten().index_select(0, tensor(flat, device: device));
        return -(picked * tensor(weights, device: device)).sum();
    }

    /// <summary>One sampled negative per user, for BPR.</summary>
    public Tensor BprNegatives(IEnumerable<long> users, Random random) =>
        tensor(users.Select(u => (long)SampleNegative((int)u, random)).ToArray(), device: device);

    /// <summary>A movie the user has not rated in training, drawn uniformly (gives up after 32 tries).</summary>
    private int SampleNegative(int user, Random random)
    {
        var candidate = random.Next(itemCount);
        for (var attempt = 0; attempt < 32 && trainItems.Contains(user, candidate); attempt++)
        {
            candidate = random.Next(itemCount);
        }
        return candidate;
    }
}
