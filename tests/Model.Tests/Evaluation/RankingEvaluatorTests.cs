using Recommender.Model.Evaluation;

namespace Recommender.Model.Tests.Evaluation;

public class RankingEvaluatorTests
{
    private const double Tolerance = 1e-12;

    // Movies score their own id for every user, so the unseen movies with the highest ids win.
    private static DataSplit CreateSplit() => TestDatasets.Split(
        train: [(1, 10), (1, 11), (2, 12), (3, 15)],
        validation: [(1, 12), (2, 13)],
        test: [(1, 13), (1, 14), (2, 10)]);

    private static MatrixScorer ScoreByMovieId(DataSplit split) =>
        MatrixScorer.FromRawIds(split.Dataset, (_, movieId) => movieId);

    [Fact]
    public void TestTargetExcludesTrainAndValidationItemsAndAveragesOverUsersWithTestItems()
    {
        var split = CreateSplit();

        var result = new RankingEvaluator().Evaluate(split, EvaluationTarget.Test, ScoreByMovieId(split), k: 3);

        Assert.Equal([[15, 14, 13], [15, 14, 11]], RawLists(split, result));
        Assert.Equal([1, 2], result.Recommendations.Users.ToArray().Select(split.Dataset.Users.GetRawId));
        Assert.Equal([15f, 14, 13], result.Recommendations.ScoresOf(0).ToArray());
        var metrics = result.Metrics;
        Assert.Equal(2, metrics.UserCount);
        // User 1 hits 14 and 13 at ranks 2 and 3 of its 2 relevant movies; user 2 misses movie 10.
        Approx.Equal((2.0 / 3 + 0) / 2, metrics.Precision, rel: 0, abs: Tolerance);
        Approx.Equal((1.0 + 0) / 2, metrics.Recall, rel: 0, abs: Tolerance);
        Approx.Equal(0.3467132018086354, metrics.Ndcg, rel: 0, abs: Tolerance);
        Approx.Equal((1.0 / 2 + 2.0 / 3) / 2 / 2, metrics.Map, rel: 0, abs: Tolerance);
        Approx.Equal(0.5, metrics.HitRate, rel: 0, abs: Tolerance);
        Approx.Equal(0.5 / 2, metrics.Mrr, rel: 0, abs: Tolerance);
        // Movies 15, 14, 13, 11 out of 6.
        Approx.Equal(4.0 / 6, metrics.Coverage, rel: 0, abs: Tolerance);
    }

    [Fact]
    public void ValidationTargetExcludesOnlyTrainItems()
    {
        var split = CreateSplit();

        var result = new RankingEvaluator().Evaluate(split, EvaluationTarget.Validation, ScoreByMovieId(split), k: 3);

        Assert.Equal([[15, 14, 13], [15, 14, 13]], RawLists(split, result));
        // User 1's validation movie 12 is ranked 4th; user 2's movie 13 is 3rd.
        Approx.Equal(0.5, result.Metrics.HitRate, rel: 0, abs: Tolerance);
        Approx.Equal(1.0 / 3 / 2, result.Metrics.Mrr, rel: 0, abs: Tolerance);
    }

    [Fact]
    public void ListsAreShortWhenFewerCandidatesThanKRemain()
    {
        var split = CreateSplit();

        var result = new RankingEvaluator().Evaluate(split, EvaluationTarget.Test, ScoreByMovieId(split), k: 5);

        // User 1 has 3 of the 6 movies in Train ∪ Validation.
        Assert.Equal([15, 14, 13], RawLists(split, result)[0]);
        Approx.Equal((2.0 / 5 + 1.0 / 5) / 2, result.Metrics.Precision, rel: 0, abs: Tolerance);
    }

    [Fact]
    public void BatchSizeAndParallelismDoNotChangeTheResult()
    {
        var random = new Random(3);
        var users = Enumerable.Range(1, 40).ToArray();
        var pairs = users.SelectMany(user => Enumerable.Range(1, 30).Where(_ => random.Next(3) == 0).Select(movie => (user, movie)))
            .Concat(Enumerable.Range(1, 30).Select(movie => (1, movie)))
            .Distinct()
            .ToArray();
        var test = pairs.Where((_, index) => index % 4 == 0).ToArray();
        var validation = pairs.Where((_, index) => index % 4 == 1).ToArray();
        var train = pairs.Except(test).Except(validation).ToArray();
        var split = TestDatasets.Split(train, validation, test);
        var scores = new float[split.Dataset.Users.Count, split.Dataset.Items.Count];
        for (var user = 0; user < scores.GetLength(0); user++)
        {
            for (var item = 0; item < scores.GetLength(1); item++)
            {
                scores[user, item] = random.Next(6);
            }
        }

        var batchedScorer = new MatrixScorer(scores);
        var batched = new RankingEvaluator(batchSize: 7).Evaluate(split, EvaluationTarget.Test, batchedScorer, k: 5);
        var single = new RankingEvaluator(batchSize: 1000, maxDegreeOfParallelism: 1)
            .Evaluate(split, EvaluationTarget.Test, new MatrixScorer(scores), k: 5);

        Assert.All(batchedScorer.BatchSizes, size => Assert.InRange(size, 1, 7));
        Assert.Equal(batched.Recommendations.Count, batchedScorer.BatchSizes.Sum());
        Assert.Equal(single.Metrics, batched.Metrics);
        Assert.Equal(RawLists(split, single), RawLists(split, batched));
    }

    [Fact]
    public void NaNScoresAreReportedWithUserAndItem()
    {
        var split = CreateSplit();
        var scorer = MatrixScorer.FromRawIds(split.Dataset, (userId, movieId) => userId == 2 && movieId == 11 ? float.NaN : 1);

        var error = Assert.Throws<InvalidOperationException>(
            () => new RankingEvaluator().Evaluate(split, EvaluationTarget.Test, scorer, k: 3));

        Assert.True(split.Dataset.Users.TryGetIndex(2, out var user));
        Assert.True(split.Dataset.Items.TryGetIndex(11, out var item));
        Assert.Contains($"NaN for user index {user}, item index {item}", error.Message);
    }

    [Fact]
    public void ScorerOverAnotherItemSpaceIsRejected()
    {
        var split = CreateSplit();

        Assert.Throws<ArgumentException>(
            () => new RankingEvaluator().Evaluate(split, EvaluationTarget.Test, new MatrixScorer(new float[3, 2]), k: 3));
    }

    private static int[][] RawLists(DataSplit split, RankingResult result) =>
        Enumerable.Range(0, result.Recommendations.Count)
            .Select(row => result.Recommendations.ItemsOf(row).ToArray().Select(split.Dataset.Items.GetRawId).ToArray())
            .ToArray();
}
