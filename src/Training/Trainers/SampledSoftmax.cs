using Recommender.Model.Data;
using static TorchSharp.torch;

namespace Recommender.Training.Trainers;

/// <summary>
/// Sampled softmax with the logQ correction (Jean et al. 2015; Yi et al. 2019): each step shares
/// <c>negatives</c> movies drawn from a popularity proposal (count + 1)^α, and every logit is lowered by the log of
/// its movie's expected count among them, so that the loss estimates the full-catalogue softmax. For catalogues too
/// large for a [positions, N] logit matrix every step.
/// </summary>
internal sealed class SampledSoftmax : IDisposable
{
    private readonly Tensor _proposal;
    private readonly Tensor _logExpected;
    private readonly int _negatives;

    public SampledSoftmax(InteractionTable train, int negatives, double exponent, Device device)
    {
        var counts = new double[train.ItemCount];
        foreach (var item in train.Items)
        {
            counts[item]++;
        }
        var weights = counts.Select(count => Math.Pow(count + 1, exponent)).ToArray();
        var total = weights.Sum();
        var probabilities = weights.Select(weight => (float)(weight / total)).ToArray();
        _proposal = tensor(probabilities, device: device);
        _logExpected = tensor(probabilities.Select(probability => MathF.Log(probability * negatives)).ToArray(), device: device);
        _negatives = negatives;
    }

    /// <summary>The loss of <paramref name="vectors"/> [B, D] against their <paramref name="targets"/> [B] in <paramref name="items"/> [N, D].</summary>
    public Tensor Loss(Tensor vectors, Tensor items, Tensor targets)
    {
        var negatives = multinomial(_proposal, _negatives, replacement: true);
        var positive = (vectors * items.index_select(0, targets)).sum(-1) - _logExpected.index_select(0, targets);
        var negativeLogits = vectors.mm(items.index_select(0, negatives).t()) - _logExpected.index_select(0, negatives).unsqueeze(0);
        var accidentalHits = targets.unsqueeze(1).eq(negatives.unsqueeze(0));
        negativeLogits = negativeLogits.masked_fill(accidentalHits, -1e9f);
        var logits = cat([positive.unsqueeze(1), negativeLogits], 1);
        return nn.functional.cross_entropy(logits, zeros(targets.shape[0], dtype: ScalarType.Int64, device: targets.device));
    }

    public void Dispose()
    {
        _proposal.Dispose();
        _logExpected.Dispose();
    }
}
