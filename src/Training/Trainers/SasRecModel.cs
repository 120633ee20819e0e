using System.Runtime.InteropServices;
using Recommender.Model.Evaluation;
using Recommender.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Trainers;

/// <summary>
/// A trained SASRec. Known users are scored from their most recent L items of Train ∪ Validation (precomputed at
/// training's end), any other history by running the network on its most recent L items. An empty history (or a
/// user without one) has no state to score from: it gets the popularity scores over Train ∪ Validation, as the
/// Markov chain does. Owns the network.
/// </summary>
public sealed class SasRecModel : IItemScorer, IHistoryScorer, IDisposable
{
    private readonly SasRecNetwork _network;
    private readonly Device _device;
    private readonly SasRecUserScorer _users;
    private readonly float[] _popularity;

    internal SasRecModel(SasRecNetwork network, Device device, DataSplit split, IReadOnlyList<EpochReport> history, int bestEpoch)
    {
        _network = network;
        _device = device;
        History = history;
        BestEpoch = bestEpoch;
        _popularity = new float[split.Train.ItemCount];
        PopularityRecommender.Fit(split).ScoreHistory([], _popularity);
        _network.eval();
        var histories = UserHistories.Build(split.Train, split.Validation);
        _users = new SasRecUserScorer(network, device, Enumerable.Range(0, histories.UserCount).ToArray(), histories, _popularity);
    }

    public int ItemCount => _popularity.Length;

    /// <summary>Wall-clock seconds from the start of training to the finished model.</summary>
    public double TrainSeconds { get; internal set; }

    public IReadOnlyList<EpochReport> History { get; }

    /// <summary>The epoch whose weights the model holds (the best validation ndcg@10).</summary>
    public int BestEpoch { get; }

    public void ScoreUsers(ReadOnlySpan<int> users, Span<float> scores) => _users.ScoreUsers(users, scores);

    public void ScoreHistory(ReadOnlySpan<int> history, Span<float> scores)
    {
        if (scores.Length != ItemCount)
        {
            throw new ArgumentException($"Expected {ItemCount} scores, got {scores.Length}.", nameof(scores));
        }
        if (history.IsEmpty)
        {
            _popularity.CopyTo(scores);
            return;
        }
        var recent = history[Math.Max(0, history.Length - _network.MaxLength)..].ToArray();
        foreach (var item in recent)
        {
            if ((uint)item >= (uint)ItemCount)
            {
                throw new ArgumentOutOfRangeException(nameof(history), $"Item index {item} is outside [0, {ItemCount}).");
            }
        }
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var state = SasRecUserScorer.LastStates(_network, _device, [recent]);
        var result = state.mm(_network.ItemTable.cpu().t()).contiguous();
        MemoryMarshal.Cast<byte, float>(result.bytes).CopyTo(scores);
    }

    public void Dispose()
    {
        _users.Dispose();
        _network.Dispose();
    }
}
