namespace Recommender.Training.Trainers;

/// <summary>One epoch of training: mean losses over its steps and the validation ndcg@10 after it.</summary>
public sealed record EpochReport(int Epoch, double Loss, double RankingLoss, double RatingLoss, double ValidationNdcg, double Seconds);

/// <summary>Explicit-rating accuracy of a rating head on a table (predictions clamped to the rating scale).</summary>
public sealed record RatingMetrics(double Rmse, double Mae, int Count);
