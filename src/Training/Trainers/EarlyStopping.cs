using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Trainers;

/// <summary>
/// Early stopping on validation ndcg@10 over one stage of epochs: keeps a copy of the best epoch's weights, says when
/// <paramref name="patience"/> epochs have passed without a better one (once the stage has run
/// <paramref name="minEpochs"/>), and puts the best weights back at the end. Without validation (NaN) every epoch
/// counts as the best and the last weights stay.
/// </summary>
internal sealed class EarlyStopping(nn.Module network, int firstEpoch, int minEpochs, int patience) : IDisposable
{
    private Dictionary<string, Tensor>? _best;

    public double BestNdcg { get; private set; } = double.NegativeInfinity;

    public int BestEpoch { get; private set; } = firstEpoch - 1;

    /// <summary>The best epoch's weights kept so far (null when none were).</summary>
    public IReadOnlyDictionary<string, Tensor>? BestWeights => _best;

    /// <summary>Continues from a checkpoint's state: its best score, epoch and kept weights (this takes them over).</summary>
    public void Resume(double bestNdcg, int bestEpoch, Dictionary<string, Tensor>? bestWeights)
    {
        Dispose();
        BestNdcg = bestNdcg;
        BestEpoch = bestEpoch;
        _best = bestWeights;
    }

    /// <summary>Takes the weights from before the stage, scoring <paramref name="ndcg"/>, as the ones to beat.</summary>
    public void KeepCurrent(double ndcg) => Keep(firstEpoch - 1, ndcg);

    /// <summary>Records the epoch's validation ndcg@10; true when training should stop.</summary>
    public bool Observe(int epoch, double ndcg)
    {
        if (double.IsNaN(ndcg))
        {
            BestEpoch = epoch;
            return false;
        }
        if (ndcg > BestNdcg)
        {
            Keep(epoch, ndcg);
            return false;
        }
        return epoch - firstEpoch + 1 >= minEpochs && epoch - BestEpoch >= patience;
    }

    /// <summary>Puts back the best weights kept (nothing when none were).</summary>
    public void RestoreBest()
    {
        if (_best is null)
        {
            return;
        }
        using var noGrad = no_grad();
        foreach (var (name, value) in network.state_dict())
        {
            value.copy_(_best[name]);
        }
    }

    private void Keep(int epoch, double ndcg)
    {
        BestNdcg = ndcg;
        BestEpoch = epoch;
        Dispose();
        using var noGrad = no_grad();
        _best = network.state_dict().ToDictionary(pair => pair.Key, pair => pair.Value.detach().clone().DetachFromDisposeScope());
    }

    public void Dispose()
    {
        foreach (var value in _best?.Values ?? Enumerable.Empty<Tensor>())
        {
            value.Dispose();
        }
        _best = null;
    }
}
