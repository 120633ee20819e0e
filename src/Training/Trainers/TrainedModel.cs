using Recommender.Model.Data;
using Recommender.Model.Evaluation;
using Recommender.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Trainers;

/// <summary>
/// A trained model: its scorer (user vectors of every user · movie table), training history, rating metrics and the
/// network, which it owns. Save/Load round-trip it; GcnLstmInferenceWeights.From reduces a gcn-lstm to the inference contract's (docs/architecture.md)
/// tables.
/// </summary>
public sealed class TrainedModel : IDisposable
{
    private readonly Tensor _items;
    private readonly Tensor? _users;
    private readonly Tensor _userVectors;
    private readonly TableScorer _scorer;

    internal TrainedModel(
        ModelKind kind,
        TrainingOptions options,
        RecommenderNetwork network,
        Tensor items,
        Tensor? users,
        Tensor userVectors,
        int[] userRawIds,
        int[] itemRawIds,
        IReadOnlyList<EpochReport> history,
        int bestEpoch,
        RankingLoss loss)
    {
        Kind = kind;
        Options = options;
        Network = network;
        _items = items;
        _users = users;
        _userVectors = userVectors;
        UserRawIds = userRawIds;
        ItemRawIds = itemRawIds;
        History = history;
        BestEpoch = bestEpoch;
        Loss = loss;
        _scorer = new TableScorer(userVectors, items);
    }

    public ModelKind Kind { get; }
    public string ModelName => Kind.Name();
    public TrainingOptions Options { get; }
    public NetworkShape Shape => Network.Shape;

    /// <summary>The ranking loss that was used (Auto resolved).</summary>
    public RankingLoss Loss { get; }

    /// <summary>Scores every movie for users by their train + validation history; the evaluator excludes seen items.</summary>
    public IItemScorer Scorer => _scorer;

    /// <summary>Scores histories of users the model was not trained on (lstm and gcn-lstm only).</summary>
    /// <exception cref="InvalidOperationException">The model has no sequence part.</exception>
    public IHistoryScorer HistoryScorer() => Kind.UsesSequence()
        ? new TrainedHistoryScorer(this)
        : throw new InvalidOperationException($"Model {ModelName} has no sequence part, so it cannot score a history.");

    /// <summary>Wall-clock seconds from the start of training to the finished model (rating metrics excluded).</summary>
    public double TrainSeconds { get; internal set; }

    public IReadOnlyList<EpochReport> History { get; }

    /// <summary>The epoch whose weights the model holds (the best validation ndcg@10).</summary>
    public int BestEpoch { get; }

    /// <summary>RMSE/MAE of the rating head on the split's test table; null without a rating head.</summary>
    public RatingMetrics? Rating { get; internal set; }

    public bool HasRatingHead => Network.Rating is not null;

    /// <summary>Raw MovieLens ids of the user and movie index spaces.</summary>
    public IReadOnlyList<int> UserRawIds { get; }
    public IReadOnlyList<int> ItemRawIds { get; }

    internal RecommenderNetwork Network { get; }
    internal Tensor ItemTable => _items;
    internal Tensor? UserTable => _users;
    internal Tensor UserVectors => _userVectors;

    /// <summary>The rating head's explicit rating for each (users[i], items[i]), not clamped to the rating scale.</summary>
    public float[] PredictRatings(ReadOnlySpan<int> users, ReadOnlySpan<int> items)
    {
        if (Network.Rating is null || _users is null)
        {
            throw new InvalidOperationException($"Model {ModelName} has no rating head.");
        }
        if (users.Length != items.Length)
        {
            throw new ArgumentException("users and items must have the same length.", nameof(items));
        }
        var device = Network.parameters().First().device;
        using var noGrad = no_grad();
        using var outerScope = NewDisposeScope();
        var userTable = _users.to(device);
        var itemTable = _items.to(device);
        var predictions = new float[users.Length];
        // In chunks, so that memory stays bounded however many pairs there are (ML-20M's test set: 5 M).
        const int chunkSize = 65_536;
        for (var start = 0; start < users.Length; start += chunkSize)
        {
            var length = Math.Min(chunkSize, users.Length - start);
            using var scope = NewDisposeScope();
            var userIndex = tensor(users.Slice(start, length).ToArray().Select(u => (long)u).ToArray(), device: device);
            var itemIndex = tensor(items.Slice(start, length).ToArray().Select(i => (long)i).ToArray(), device: device);
            var predicted = Network.Rating.Predict(userIndex, itemIndex, userTable.index_select(0, userIndex), itemTable.index_select(0, itemIndex));
            predicted.cpu().data<float>().CopyTo(predictions.AsSpan(start, length));
        }
        return predictions;
    }

    /// <summary>RMSE and MAE of the rating head on a table, predictions clamped to the rating scale.</summary>
    public RatingMetrics EvaluateRatings(InteractionTable table, RatingScale scale)
    {
        var predicted = PredictRatings(table.Users, table.Items);
        double squared = 0, absolute = 0;
        for (var i = 0; i < predicted.Length; i++)
        {
            var error = Math.Clamp(predicted[i], scale.Min, scale.Max) - table.Ratings[i];
            squared += error * error;
            absolute += Math.Abs(error);
        }
        var count = Math.Max(1, predicted.Length);
        return new RatingMetrics(Math.Sqrt(squared / count), absolute / count, predicted.Length);
    }

    /// <summary>Writes model.json (hyper-parameters, index maps, history), weights.bin (TorchSharp) and tables.bin.</summary>
    public void Save(string directory) => ModelArtifacts.Save(this, directory);

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    public static TrainedModel Load(string directory) => ModelArtifacts.Load(directory);

    public void Dispose()
    {
        _scorer.Dispose();
        _items.Dispose();
        _users?.Dispose();
        _userVectors.Dispose();
        Network.Dispose();
    }
}
