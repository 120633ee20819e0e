using Recommender.Model.Evaluation;

namespace Recommender.Training.Cli;

/// <summary>A model the <c>evaluate</c> command can train on a split's Train and Validation tables.</summary>
internal sealed record EvaluationModel(string Name, string Description, Func<DataSplit, IItemScorer> Train);

internal static class EvaluationModels
{
    public static EvaluationModel Popularity { get; } = new(
        "popularity",
        "Most interacted movies in Train ∪ Validation, the same list for everyone.",
        split => PopularityRecommender.Fit(split));

    public static EvaluationModel Markov { get; } = new(
        "markov",
        "First-order transitions: the movies that most often followed the user's last movie, then popularity.",
        split => MarkovRecommender.Fit(split));

    public static IReadOnlyList<EvaluationModel> All { get; } = [Popularity, Markov];

    /// <summary>The model of that name; null for the trained (TorchSharp) models.</summary>
    public static EvaluationModel? Find(string name) => All.FirstOrDefault(model => model.Name == name);
}
