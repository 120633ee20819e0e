using Recommender.Model.Evaluation;

namespace Recommender.Model.Tests.Evaluation;

public class MarkovRecommenderTests
{
    /// <summary>Equal timestamps keep table order: Train first, then Validation.</summary>
    private static DataSplit Sequences() => TestDatasets.Split(
        train: [(1, 10), (1, 11), (1, 12), (2, 10), (2, 11), (3, 12), (3, 13), (3, 10), (4, 13), (4, 12)],
        validation: [(2, 12), (4, 10)],
        test: [(1, 14), (2, 14)]);

    [Fact]
    public void ScoresTheSuccessorsOfTheUsersLastMovie_ThenPopularity()
    {
        var split = Sequences();
        var markov = MarkovRecommender.Fit(split);
        var scores = new float[markov.ItemCount];

        // Transitions: 10→11 (×2), 11→12 (×2), 12→13, 13→10, 13→12, 12→10 (validation); user 4 ends on 10.
        markov.ScoreUsers([Index(split, 4)], scores);

        var ranked = Ranked(split, scores);
        Assert.Equal([11, 10, 12, 13, 14], ranked);
        Assert.Equal(2 + Fill(split, 11), scores[ItemIndex(split, 11)], 1e-6);
    }

    [Fact]
    public void ASessionIsScoredFromItsLastMovie_AndAnEmptyOneByPopularity()
    {
        var split = Sequences();
        var markov = MarkovRecommender.Fit(split);
        var scores = new float[markov.ItemCount];

        markov.ScoreHistory([ItemIndex(split, 10), ItemIndex(split, 13)], scores);
        Assert.Equal([10, 12], Ranked(split, scores)[..2]);

        markov.ScoreHistory([], scores);
        Assert.Equal([10, 12, 11, 13, 14], Ranked(split, scores));
        Assert.All(scores, score => Assert.InRange(score, 0f, 1f));
    }

    [Fact]
    public void TestInteractionsAreNotCounted()
    {
        var split = Sequences();
        var markov = MarkovRecommender.Fit(split);
        var scores = new float[markov.ItemCount];

        markov.ScoreHistory([ItemIndex(split, 11)], scores);

        Assert.Equal(0f, scores[ItemIndex(split, 14)]);
        Assert.Throws<ArgumentException>(() => markov.ScoreUsers([0], new float[markov.ItemCount + 1]));
    }

    private static int Index(DataSplit split, int userId) => split.Dataset.Users.TryGetIndex(userId, out var index) ? index : throw new ArgumentException($"user {userId}");

    private static int ItemIndex(DataSplit split, int movieId) => split.Dataset.Items.TryGetIndex(movieId, out var index) ? index : throw new ArgumentException($"movie {movieId}");

    private static float Fill(DataSplit split, int movieId)
    {
        var popularity = PopularityRecommender.Fit(split);
        return (float)(popularity.Counts[ItemIndex(split, movieId)] / (popularity.Counts.Max() + 1.0));
    }

    /// <summary>Raw movie ids by descending score, ties to the lower index.</summary>
    private static int[] Ranked(DataSplit split, float[] scores) =>
        [.. Enumerable.Range(0, scores.Length).OrderByDescending(item => scores[item]).ThenBy(item => item).Select(split.Dataset.Items.GetRawId)];
}
