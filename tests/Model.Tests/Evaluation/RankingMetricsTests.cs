using Recommender.Model.Evaluation;

namespace Recommender.Model.Tests.Evaluation;

public class RankingMetricsTests
{
    private const double Tolerance = 1e-12;

    [Fact]
    public void HitsAtRanksOneAndThreeOfFourRelevant()
    {
        var metrics = RankingMetrics.ForUser([true, false, true, false, false], relevantCount: 4, k: 5);

        Approx.Equal(0.4, metrics.Precision, rel: 0, abs: Tolerance);
        Approx.Equal(0.5, metrics.Recall, rel: 0, abs: Tolerance);
        // DCG 1 + 1/log2(4) = 1.5; IDCG over 4 ideal hits = 1 + 1/log2(3) + 1/2 + 1/log2(5).
        Approx.Equal(0.5855700749881525, metrics.Ndcg, rel: 0, abs: Tolerance);
        // (1/1 + 2/3) / 4 relevant.
        Approx.Equal(0.41666666666666667, metrics.AveragePrecision, rel: 0, abs: Tolerance);
        Assert.Equal(1, metrics.Hit);
        Assert.Equal(1, metrics.ReciprocalRank);
    }

    [Fact]
    public void FewerRelevantItemsThanKUseTheirCountForIdealDcgAndAveragePrecision()
    {
        var metrics = RankingMetrics.ForUser([false, true, false, false, true], relevantCount: 2, k: 5);

        Approx.Equal(0.4, metrics.Precision, rel: 0, abs: Tolerance);
        Approx.Equal(1.0, metrics.Recall, rel: 0, abs: Tolerance);
        // (1/log2(3) + 1/log2(6)) / (1 + 1/log2(3)).
        Approx.Equal(0.6240505200038379, metrics.Ndcg, rel: 0, abs: Tolerance);
        // (1/2 + 2/5) / 2.
        Approx.Equal(0.45, metrics.AveragePrecision, rel: 0, abs: Tolerance);
        Assert.Equal(1, metrics.Hit);
        Approx.Equal(0.5, metrics.ReciprocalRank, rel: 0, abs: Tolerance);
    }

    [Fact]
    public void MoreRelevantItemsThanKCapIdealDcgAtK()
    {
        var metrics = RankingMetrics.ForUser([false, false, true], relevantCount: 7, k: 3);

        Approx.Equal(1.0 / 3, metrics.Precision, rel: 0, abs: Tolerance);
        Approx.Equal(1.0 / 7, metrics.Recall, rel: 0, abs: Tolerance);
        // (1/log2(4)) / (1 + 1/log2(3) + 1/log2(4)).
        Approx.Equal(0.23463936301137822, metrics.Ndcg, rel: 0, abs: Tolerance);
        // MAP divides by all 7 relevant items, not by min(7, k).
        Approx.Equal(1.0 / 3 / 7, metrics.AveragePrecision, rel: 0, abs: Tolerance);
        Approx.Equal(1.0 / 3, metrics.ReciprocalRank, rel: 0, abs: Tolerance);
    }

    [Fact]
    public void NoHitGivesZeroEverywhere()
    {
        var metrics = RankingMetrics.ForUser([false, false, false], relevantCount: 2, k: 3);

        Assert.Equal(new UserRankingMetrics(0, 0, 0, 0, 0, 0), metrics);
    }

    [Fact]
    public void ShortListStillDividesPrecisionByK()
    {
        var metrics = RankingMetrics.ForUser([true], relevantCount: 1, k: 10);

        Approx.Equal(0.1, metrics.Precision, rel: 0, abs: Tolerance);
        Approx.Equal(1.0, metrics.Recall, rel: 0, abs: Tolerance);
        Approx.Equal(1.0, metrics.Ndcg, rel: 0, abs: Tolerance);
        Approx.Equal(1.0, metrics.AveragePrecision, rel: 0, abs: Tolerance);
    }

    [Fact]
    public void RankedListOverloadTruncatesAtK()
    {
        var metrics = RankingMetrics.ForUser([5, 9, 7, 3], new HashSet<int> { 3, 9 }, k: 3);

        Approx.Equal(1.0 / 3, metrics.Precision, rel: 0, abs: Tolerance);
        Approx.Equal(0.5, metrics.Recall, rel: 0, abs: Tolerance);
        Approx.Equal(0.5, metrics.ReciprocalRank, rel: 0, abs: Tolerance);
    }

    [Fact]
    public void RejectsListsLongerThanKAndUsersWithoutRelevantItems()
    {
        Assert.Throws<ArgumentException>(() => RankingMetrics.ForUser([true, true], relevantCount: 1, k: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RankingMetrics.ForUser([true], relevantCount: 0, k: 1));
    }

    [Fact]
    public void SummaryNamesUseK()
    {
        var summary = new RankingMetricsSummary(5, 3, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7);

        Assert.Equal(
            ["precision@5", "recall@5", "ndcg@5", "map", "hr@5", "mrr@5", "coverage@5"],
            summary.Named().Select(pair => pair.Key));
        Assert.Equal([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], summary.Named().Select(pair => pair.Value));
    }
}

public class RatingMetricsTests
{
    [Fact]
    public void RmseAndMaeOfHandComputedErrors()
    {
        float[] actual = [4, 3, 5, 1];
        float[] predicted = [3.5f, 3, 3, 2];

        // Errors -0.5, 0, -2, 1: squares 0.25 + 0 + 4 + 1 = 5.25; absolutes 3.5.
        Approx.Equal(Math.Sqrt(5.25 / 4), RatingMetrics.Rmse(actual, predicted), rel: 0, abs: 1e-12);
        Approx.Equal(3.5 / 4, RatingMetrics.Mae(actual, predicted), rel: 0, abs: 1e-12);
    }

    [Fact]
    public void RejectsMismatchedOrEmptyInput()
    {
        Assert.Throws<ArgumentException>(() => RatingMetrics.Rmse([1, 2], [1]));
        Assert.Throws<ArgumentException>(() => RatingMetrics.Mae([], []));
    }
}
