namespace Recommender.Training.Trainers;

/// <summary>A phase of training; only gcn-lstm has a graph warm-up.</summary>
public enum TrainingStage
{
    /// <summary>The graph part alone (gcn-lstm's first stage); validation scores u = g.</summary>
    GraphWarmup,

    /// <summary>All of the model's parts and losses.</summary>
    Full,
}

/// <summary>
/// One epoch of training: mean losses over its steps (ranking losses summed; the rating loss unweighted) and the
/// validation ndcg@10 after it. Epochs are numbered across stages.
/// </summary>
public sealed record EpochReport(int Epoch, double Loss, double RankingLoss, double RatingLoss, double ValidationNdcg, double Seconds, TrainingStage Stage = TrainingStage.Full);

/// <summary>Explicit-rating accuracy of a rating head on a table (predictions clamped to the rating scale).</summary>
public sealed record RatingMetrics(double Rmse, double Mae, int Count);
