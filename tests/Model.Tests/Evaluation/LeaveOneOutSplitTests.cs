using Recommender.Model.Evaluation;

namespace Recommender.Model.Tests.Evaluation;

public class LeaveOneOutSplitTests
{
    [Fact]
    public void LastInteractionIsTestThePreviousValidationAndTiesGoByMovieId()
    {
        var dataset = TestDatasets.Create(
        [
            new Rating(1, 5, 4, 100),
            new Rating(1, 7, 4, 300),
            new Rating(1, 9, 4, 200),
            new Rating(1, 3, 4, 300),
            new Rating(2, 5, 4, 10),
            new Rating(2, 9, 4, 20),
        ]);

        var split = SplitProtocols.Create(SplitProtocols.LeaveOneOut).Split(dataset, seed: 0);

        // Movies 7 and 3 share the last timestamp: the higher movieId counts as later, whatever the file order.
        Assert.Equal([(1, 7)], TestDatasets.Pairs(split.Test, dataset));
        Assert.Equal([(1, 3)], TestDatasets.Pairs(split.Validation, dataset));
        // User 2 has fewer than 3 interactions: all of them train.
        Assert.Equal([(1, 5), (1, 9), (2, 5), (2, 9)], TestDatasets.Pairs(split.Train, dataset));
        Assert.Equal("1", split.Parameters["users_only_in_train"]);
        Assert.Equal("none", split.Parameters["min_rating"]);
        Assert.Equal("0", split.Parameters["k_core"]);
    }

    [Fact]
    public void MinimumRatingRemovesInteractionsBeforeSplitting()
    {
        var dataset = TestDatasets.Create(
        [
            new Rating(1, 1, 5, 1),
            new Rating(1, 2, 4, 2),
            new Rating(1, 3, 2, 3),
            new Rating(1, 4, 3, 4),
            new Rating(1, 5, 1, 5),
        ]);
        var options = new SplitOptions { LeaveOneOut = new LeaveOneOutOptions { MinRating = 3 } };

        var split = SplitProtocols.Create(SplitProtocols.LeaveOneOut, options).Split(dataset, seed: 0);

        // Movies 3 and 5 (rated 2 and 1) are gone; of 1, 2, 4 the last is movie 4.
        Assert.Equal([(1, 4)], TestDatasets.Pairs(split.Test, dataset));
        Assert.Equal([(1, 2)], TestDatasets.Pairs(split.Validation, dataset));
        Assert.Equal([(1, 1)], TestDatasets.Pairs(split.Train, dataset));
        Assert.Equal("2", split.Parameters["removed_below_min_rating"]);
        Assert.Equal("3", split.Parameters["min_rating"]);
    }

    [Fact]
    public void KCoreFilteringRepeatsUntilStable()
    {
        var dataset = TestDatasets.Create(
        [
            new Rating(1, 1, 4, 1), new Rating(1, 2, 4, 2), new Rating(1, 3, 4, 3),
            new Rating(2, 1, 4, 1), new Rating(2, 2, 4, 2), new Rating(2, 3, 4, 3),
            new Rating(3, 1, 4, 1), new Rating(3, 4, 4, 2),
        ]);
        var options = new SplitOptions { LeaveOneOut = new LeaveOneOutOptions { KCore = 2 } };

        var split = SplitProtocols.Create(SplitProtocols.LeaveOneOut, options).Split(dataset, seed: 0);

        // Movie 4 has one rating; once it goes, user 3 has one left and goes too.
        var kept = TestDatasets.Pairs(split.Train, dataset)
            .Union(TestDatasets.Pairs(split.Validation, dataset))
            .Union(TestDatasets.Pairs(split.Test, dataset))
            .ToHashSet();
        Assert.DoesNotContain(kept, pair => pair.User == 3 || pair.Movie == 4);
        Assert.Equal(6, kept.Count);
        Assert.Equal("2", split.Parameters["removed_by_k_core"]);
        Assert.Equal([(1, 3), (2, 3)], TestDatasets.Pairs(split.Test, dataset));
    }
}
