using Recommender.Model.Evaluation;

namespace Recommender.Model.Tests.Evaluation;

public class PopularityRecommenderTests
{
    [Fact]
    public void CountsTrainAndValidationButNotTest()
    {
        var split = TestDatasets.Split(
            train: [(1, 10), (2, 10), (1, 11), (2, 12)],
            validation: [(3, 12), (3, 11)],
            test: [(1, 12), (3, 13), (1, 13), (2, 13)]);

        var popularity = PopularityRecommender.Fit(split);

        Assert.Equal([2, 2, 2, 0], Raw(split, popularity.Counts, 10, 11, 12, 13));
        // Movies 10, 11, 12 tie at 2 and keep index order; movie 13 (only in Test) is last.
        Assert.Equal([10, 11, 12, 13], popularity.RankedItems.ToArray().Select(split.Dataset.Items.GetRawId));
    }

    [Fact]
    public void ScoresAreTheCountsForEveryUser()
    {
        var split = TestDatasets.Split(train: [(1, 10), (2, 10), (2, 11)], validation: [], test: [(1, 11)]);
        var popularity = PopularityRecommender.Fit(split);
        var scores = new float[2 * popularity.ItemCount];

        popularity.ScoreUsers([1, 0], scores);

        Assert.Equal([2f, 1, 2, 1], scores);
        Assert.Throws<ArgumentException>(() => popularity.ScoreUsers([0], new float[3]));
    }

    [Fact]
    public void EvaluatesAsTheMostPopularUnseenMovies()
    {
        var split = TestDatasets.Split(
            train: [(1, 10), (2, 10), (3, 10), (2, 11), (3, 11), (3, 12)],
            validation: [],
            test: [(1, 12), (2, 13)],
            k: 2);

        var result = new RankingEvaluator().Evaluate(split, EvaluationTarget.Test, PopularityRecommender.Fit(split), k: 2);

        Assert.Equal([11, 12], result.Recommendations.ItemsOf(0).ToArray().Select(split.Dataset.Items.GetRawId));
        Assert.Equal([12, 13], result.Recommendations.ItemsOf(1).ToArray().Select(split.Dataset.Items.GetRawId));
        Assert.Equal(1.0, result.Metrics.HitRate);
    }

    private static int[] Raw(DataSplit split, IReadOnlyList<int> counts, params int[] movieIds) =>
        movieIds.Select(id => split.Dataset.Items.TryGetIndex(id, out var index) ? counts[index] : -1).ToArray();
}
