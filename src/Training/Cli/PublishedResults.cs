using Recommender.Model.Evaluation;

namespace Recommender.Training.Cli;

/// <summary>A published result to read a report's figures against: who measured what, under the same protocol.</summary>
internal sealed record PublishedResult(string Model, string Source, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// The published figures measured under a protocol <c>train</c> reproduces. Only exact protocol matches are listed:
/// a figure from another split (sampled negatives, other filtering) would mislead more than it informs.
/// </summary>
internal static class PublishedResults
{
    private const string MicrosoftRecommenders = "Microsoft Recommenders, ml-100k benchmark (stratified 75/25 per user, top 10)";

    private static readonly PublishedResult[] StratifiedMl100k =
    [
        Result("BiVAE", MicrosoftRecommenders, ("ndcg@10", 0.475077), ("map", 0.146126), ("precision@10", 0.411771), ("recall@10", 0.219145)),
        Result("BPR (Cornac)", MicrosoftRecommenders, ("ndcg@10", 0.441997), ("map", 0.132478), ("precision@10", 0.388229), ("recall@10", 0.212522)),
        Result("LightGCN", MicrosoftRecommenders, ("ndcg@10", 0.419846), ("map", 0.088526), ("precision@10", 0.379626), ("recall@10", 0.144336)),
        Result("NCF", MicrosoftRecommenders, ("ndcg@10", 0.396118), ("map", 0.107720), ("precision@10", 0.347296), ("recall@10", 0.180775)),
        Result("SAR", MicrosoftRecommenders, ("ndcg@10", 0.382461), ("map", 0.110591), ("precision@10", 0.330753), ("recall@10", 0.176385)),
        Result("SVD (Surprise)", MicrosoftRecommenders, ("rmse", 0.938681), ("mae", 0.742690)),
    ];

    /// <summary>The published results for this data set and protocol at this k (none when nothing matches).</summary>
    public static IReadOnlyList<PublishedResult> For(string dataset, string protocol, int k) =>
        dataset == "ml-100k" && protocol == SplitProtocols.Stratified && k == 10 ? StratifiedMl100k : [];

    private static PublishedResult Result(string model, string source, params (string Metric, double Value)[] metrics) =>
        new(model, source, metrics.ToDictionary(pair => pair.Metric, pair => pair.Value));
}
