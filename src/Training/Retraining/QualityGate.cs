using System.Globalization;
using Recommender.Model.Storage;

namespace Recommender.Training.Retraining;

/// <summary>
/// Decides whether a candidate model may replace the published one, on ndcg@k over the same test split: it must
/// beat popularity, and it may fall at most <c>margin</c> (relative) below the published model.
/// </summary>
public static class QualityGate
{
    /// <param name="publishedNdcg">The published model's ndcg@k on the same split; null when nothing is published.</param>
    public static GateDecision Decide(double candidateNdcg, double popularityNdcg, double? publishedNdcg, double margin, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(margin);
        var metric = $"ndcg@{k}";
        var failures = new List<string>();
        if (!(candidateNdcg > popularityNdcg))
        {
            failures.Add($"{metric} {Format(candidateNdcg)} does not beat popularity's {Format(popularityNdcg)}");
        }
        if (publishedNdcg is { } published)
        {
            var floor = published * (1 - margin);
            if (candidateNdcg < floor)
            {
                failures.Add($"{metric} {Format(candidateNdcg)} is below the published model's {Format(published)} by more than the " +
                    $"{Format(margin * 100)}% margin (floor {Format(floor)})");
            }
        }
        if (failures.Count > 0)
        {
            return new(false, "Rejected: " + string.Join("; ", failures) + ".");
        }
        var comparison = publishedNdcg is { } current
            ? $" and is within {Format(margin * 100)}% of the published model's {Format(current)}"
            : "; no model is published yet";
        return new(true, $"Accepted: {metric} {Format(candidateNdcg)} beats popularity's {Format(popularityNdcg)}{comparison}.");
    }

    private static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
