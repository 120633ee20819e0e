namespace Recommender.Model.Evaluation;

/// <summary>The ranking metrics of one user's top-k list.</summary>
public readonly record struct UserRankingMetrics(
    double Precision, double Recall, double Ndcg, double AveragePrecision, double Hit, double ReciprocalRank);

/// <summary>
/// Ranking metrics with Microsoft Recommenders' definitions and binary relevance: every held-out item is
/// relevant. A user's list may be shorter than k (when fewer candidates are left); precision still divides by k.
/// </summary>
public static class RankingMetrics
{
    /// <param name="hitAtRank">For each position of the top-k list (rank 1 first), whether that item is relevant.</param>
    /// <param name="relevantCount">Number of distinct relevant items of the user; at least 1.</param>
    /// <param name="k">The cut-off; <paramref name="hitAtRank"/> holds at most k positions.</param>
    public static UserRankingMetrics ForUser(ReadOnlySpan<bool> hitAtRank, int relevantCount, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(relevantCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (hitAtRank.Length > k)
        {
            throw new ArgumentException($"The list holds {hitAtRank.Length} positions, more than k = {k}.", nameof(hitAtRank));
        }

        var hits = 0;
        var dcg = 0.0;
        var precisionSum = 0.0;
        var firstHitRank = 0;
        for (var position = 0; position < hitAtRank.Length; position++)
        {
            if (!hitAtRank[position])
            {
                continue;
            }
            var rank = position + 1;
            hits++;
            dcg += 1.0 / Math.Log2(rank + 1);
            precisionSum += (double)hits / rank;
            if (firstHitRank == 0)
            {
                firstHitRank = rank;
            }
        }

        return new UserRankingMetrics(
            Precision: (double)hits / k,
            Recall: (double)hits / relevantCount,
            Ndcg: dcg / IdealDcg(Math.Min(relevantCount, k)),
            AveragePrecision: precisionSum / relevantCount,
            Hit: hits > 0 ? 1 : 0,
            ReciprocalRank: firstHitRank > 0 ? 1.0 / firstHitRank : 0);
    }

    /// <summary>Metrics of a ranked list (best first, truncated to k) against a set of relevant items.</summary>
    public static UserRankingMetrics ForUser(ReadOnlySpan<int> recommended, IReadOnlySet<int> relevant, int k)
    {
        var length = Math.Min(recommended.Length, k);
        Span<bool> hits = length <= 256 ? stackalloc bool[length] : new bool[length];
        for (var position = 0; position < length; position++)
        {
            hits[position] = relevant.Contains(recommended[position]);
        }
        return ForUser(hits, relevant.Count, k);
    }

    private static double IdealDcg(int idealHits)
    {
        var idcg = 0.0;
        for (var rank = 1; rank <= idealHits; rank++)
        {
            idcg += 1.0 / Math.Log2(rank + 1);
        }
        return idcg;
    }
}

/// <summary>Ranking metrics averaged over the users that have at least one relevant item, plus catalogue coverage.</summary>
public sealed record RankingMetricsSummary(
    int K,
    int UserCount,
    double Precision,
    double Recall,
    double Ndcg,
    double Map,
    double HitRate,
    double Mrr,
    double Coverage)
{
    /// <summary>The metrics under their metrics.json names (for example <c>ndcg@10</c>), in a fixed order.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Named() =>
    [
        new(MetricNames.Precision(K), Precision),
        new(MetricNames.Recall(K), Recall),
        new(MetricNames.Ndcg(K), Ndcg),
        new(MetricNames.Map, Map),
        new(MetricNames.HitRate(K), HitRate),
        new(MetricNames.Mrr(K), Mrr),
        new(MetricNames.Coverage(K), Coverage),
    ];
}

/// <summary>Metric keys as they appear in metrics.json.</summary>
public static class MetricNames
{
    public const string Map = "map";
    public const string Rmse = "rmse";
    public const string Mae = "mae";
    public const string TrainSeconds = "train_seconds";

    public static string Precision(int k) => $"precision@{k}";
    public static string Recall(int k) => $"recall@{k}";
    public static string Ndcg(int k) => $"ndcg@{k}";
    public static string HitRate(int k) => $"hr@{k}";
    public static string Mrr(int k) => $"mrr@{k}";
    public static string Coverage(int k) => $"coverage@{k}";
}

/// <summary>Errors of rating predictions.</summary>
public static class RatingMetrics
{
    public static double Rmse(ReadOnlySpan<float> actual, ReadOnlySpan<float> predicted)
    {
        CheckLengths(actual, predicted);
        var sum = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            var error = (double)predicted[i] - actual[i];
            sum += error * error;
        }
        return Math.Sqrt(sum / actual.Length);
    }

    public static double Mae(ReadOnlySpan<float> actual, ReadOnlySpan<float> predicted)
    {
        CheckLengths(actual, predicted);
        var sum = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            sum += Math.Abs((double)predicted[i] - actual[i]);
        }
        return sum / actual.Length;
    }

    private static void CheckLengths(ReadOnlySpan<float> actual, ReadOnlySpan<float> predicted)
    {
        if (actual.Length != predicted.Length)
        {
            throw new ArgumentException($"{actual.Length} actual ratings but {predicted.Length} predictions.", nameof(predicted));
        }
        if (actual.IsEmpty)
        {
            throw new ArgumentException("No ratings to compare.", nameof(actual));
        }
    }
}
