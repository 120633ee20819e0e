using System.Diagnostics;
using Recommender.Model.Evaluation;
using Recommender.Training.Models;

namespace Recommender.Training.Trainers;

/// <summary>Trains one of the models of <see cref="ModelKinds.All"/> on a split.</summary>
public static class ModelTrainer
{
    // Torch's random generator, seed and thread count are process-wide: trainings in one process take turns so
    // that each stays reproducible. SasRecTrainer takes the same gate.
    internal static readonly Lock TrainingGate = new();

    /// <summary>
    /// Trains <paramref name="modelName"/> (bpr, lightgcn, lstm or gcn-lstm) on <paramref name="split"/>.Train, early
    /// stopping on ndcg@10 over <paramref name="split"/>.Validation (every epoch is reported to
    /// <paramref name="progress"/>). The returned model scores users from their train + validation history; its
    /// rating metrics, when it has a rating head, are measured on <paramref name="split"/>.Test. Trainings in one
    /// process run one at a time (see TrainingGate); the same seed, options and split give the same weights. With a
    /// <paramref name="checkpoint"/>, every epoch is saved there and a training that stopped resumes after its last
    /// saved epoch (reported to <paramref name="resumedFrom"/>), ending with the weights of an uninterrupted run.
    /// </summary>
    public static TrainedModel Train(
        string modelName,
        DataSplit split,
        TrainingOptions options,
        IProgress<EpochReport>? progress = null,
        CancellationToken cancellationToken = default,
        TrainingCheckpoint? checkpoint = null,
        Action<int>? resumedFrom = null)
    {
        var kind = ModelKinds.Parse(modelName);
        options.Validate();
        lock (TrainingGate)
        {
            return TrainLocked(kind, split, options, progress, cancellationToken, checkpoint, resumedFrom);
        }
    }

    private static TrainedModel TrainLocked(
        ModelKind kind, DataSplit split, TrainingOptions options, IProgress<EpochReport>? progress, CancellationToken cancellationToken,
        TrainingCheckpoint? checkpoint, Action<int>? resumedFrom)
    {
        var watch = Stopwatch.StartNew();
        var device = TorchRuntime.Initialize(options);
        var session = new TrainingSession(kind, split, options, device);
        try
        {
            var (history, bestEpoch) = session.Fit(progress, cancellationToken, checkpoint, resumedFrom);
            var (items, users, userVectors) = session.FinalTables();
            var model = new TrainedModel(
                kind,
                options,
                session.Network,
                items,
                users,
                userVectors,
                split.Dataset.Users.RawIds.ToArray(),
                split.Dataset.Items.RawIds.ToArray(),
                history,
                bestEpoch,
                session.Loss);
            // Under the session protocol the test users are outside the graph: the rating head has nothing to rate them by.
            model.Rating = model.HasRatingHead && split.Test.Count > 0 && split.Sessions is null ? model.EvaluateRatings(split.Test, split.Dataset.Scale) : null;
            model.TrainSeconds = watch.Elapsed.TotalSeconds;
            return model;
        }
        catch
        {
            session.Network.Dispose();
            throw;
        }
        finally
        {
            session.Dispose();
        }
    }
}
