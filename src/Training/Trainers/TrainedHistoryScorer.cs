using Recommender.Model.Evaluation;
using Recommender.Training.Models;
using static TorchSharp.torch;

namespace Recommender.Training.Trainers;

/// <summary>
/// A trained sequence model (lstm, gcn-lstm) scoring a history it was not trained on: the LSTM reads the last
/// MaxHistory movies, gcn-lstm fuses the result with the anonymous vector a (plus the history's
/// fold-in under SessionFoldIn) in place of a graph user, and the scores
/// are u · E. The torch-side twin of the served session path (RecommendationEngine.RecommendForHistory).
/// </summary>
internal sealed class TrainedHistoryScorer(TrainedModel model) : IHistoryScorer
{
    public int ItemCount => model.Shape.ItemCount;

    public void ScoreHistory(ReadOnlySpan<int> history, Span<float> scores)
    {
        if (scores.Length != ItemCount)
        {
            throw new ArgumentException($"Expected {ItemCount} scores, got {scores.Length}.", nameof(scores));
        }
        var network = model.Network;
        var sequence = network.Sequence ?? throw new InvalidOperationException($"Model {model.ModelName} has no sequence part.");
        var recent = history[Math.Max(0, history.Length - model.Options.MaxHistory)..];
        var device = network.parameters().First().device;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var items = model.ItemTable.to(device);
        var graphPart = network.Anonymous?.unsqueeze(0);
        Tensor userVector;
        if (recent.IsEmpty)
        {
            userVector = graphPart ?? zeros(1, items.shape[1], device: device);
        }
        else
        {
            var indices = tensor(recent.ToArray().Select(item => (long)item).ToArray(), [1, recent.Length], device: device);
            var sequencePart = sequence.EncodeLast(RecommenderNetwork.SequenceInputs(items, indices, keep: null), tensor(new long[] { recent.Length }, device: device));
            if (graphPart is not null && model.Options.SessionFoldIn)
            {
                graphPart = network.FoldIn(items, indices, ones(1, recent.Length, device: device)).select(1, recent.Length - 1);
            }
            userVector = network.Combine(graphPart, sequencePart, network.Transition(tensor(new long[] { recent[^1] }, device: device)));
        }
        userVector.mm(items.t()).cpu().data<float>().CopyTo(scores);
    }
}
