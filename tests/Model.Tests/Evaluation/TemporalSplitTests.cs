using Recommender.Model.Evaluation;

namespace Recommender.Model.Tests.Evaluation;

public class TemporalSplitTests
{
    [Fact]
    public void QuantileCutTrainsBeforeTheTimestampAtNinetyPercentAndValidatesOnTheLastTenthOfTraining()
    {
        // Timestamps 1..20, two users and five movies that all appear early.
        var dataset = TestDatasets.Create(
            Enumerable.Range(1, 20).Select(t => new Rating(1 + t % 2, 1 + t % 5, 4, t)));

        var split = SplitProtocols.Create(SplitProtocols.Temporal).Split(dataset, seed: 0);

        // Position ⌊0.9·20⌋ = 18 holds timestamp 19; of the 18 earlier rows, position ⌊0.9·18⌋ = 16 holds 17.
        Assert.Equal([19L, 20], split.Test.Timestamps.ToArray());
        Assert.Equal([17L, 18], split.Validation.Timestamps.ToArray());
        Assert.Equal(Enumerable.Range(1, 16).Select(t => (long)t), split.Train.Timestamps.ToArray());
        Assert.Equal("19", split.Parameters["cut_timestamp"]);
        Assert.Equal("1970-01-01T00:00:19Z", split.Parameters["cut"]);
        Assert.Equal("0.9", split.Parameters["cut_quantile"]);
        Assert.Equal("0", split.Parameters["test_dropped_rows"]);
    }

    [Fact]
    public void ColdUsersAndMoviesAreDroppedFromTestAndKeptInTrainInsteadOfValidation()
    {
        var dataset = TestDatasets.Create(
        [
            new Rating(1, 10, 4, 1),
            new Rating(2, 10, 4, 2),
            new Rating(1, 11, 4, 3),
            new Rating(2, 11, 4, 4),
            new Rating(3, 10, 4, 5),
            new Rating(1, 10, 4, 100),
            new Rating(3, 11, 4, 101),
            new Rating(2, 12, 4, 102),
            new Rating(4, 13, 4, 103),
        ]);
        var options = new SplitOptions
        {
            Temporal = new TemporalSplitOptions
            {
                Cut = TemporalCut.AtInstant(DateTimeOffset.FromUnixTimeMilliseconds(99_500)),
                ValidationFraction = 0.25,
            },
        };

        var split = SplitProtocols.Create(SplitProtocols.Temporal, options).Split(dataset, seed: 0);

        // A fractional instant cuts before the next whole second.
        Assert.Equal("100", split.Parameters["cut_timestamp"]);
        // Validation is timestamps 4 and 5, but user 3 is not in Train yet: that row stays in Train.
        Assert.Equal([(2, 11)], TestDatasets.Pairs(split.Validation, dataset));
        Assert.Equal([(1, 10), (2, 10), (1, 11), (3, 10)], TestDatasets.Pairs(split.Train, dataset));
        Assert.Equal("1", split.Parameters["validation_cold_rows_in_train"]);
        // Test: movie 12, and user 4 with movie 13, never occur before the cut.
        Assert.Equal([(1, 10), (3, 11)], TestDatasets.Pairs(split.Test, dataset));
        Assert.Equal("2", split.Parameters["test_dropped_rows"]);
        Assert.Equal("1", split.Parameters["test_cold_users"]);
        Assert.Equal("2", split.Parameters["test_cold_items"]);
    }

    [Fact]
    public void CutAfterTheLastInteractionIsAClearError()
    {
        var dataset = TestDatasets.WithUserCounts(3, 3);
        var options = new SplitOptions
        {
            Temporal = new TemporalSplitOptions { Cut = TemporalCut.AtInstant(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)) },
        };

        var error = Assert.Throws<InvalidOperationException>(
            () => SplitProtocols.Create(SplitProtocols.Temporal, options).Split(dataset, seed: 0));

        Assert.Contains("2030-01-01T00:00:00Z leaves no test interactions", error.Message);
    }

    [Fact]
    public void CutParsesAQuantileOrAnInstant()
    {
        Assert.Equal(TemporalCut.AtQuantile(0.8), TemporalCut.Parse("0.8"));
        Assert.Equal(
            TemporalCut.AtInstant(new DateTimeOffset(1998, 3, 1, 0, 0, 0, TimeSpan.Zero)),
            TemporalCut.Parse("1998-03-01T00:00:00Z"));
        Assert.Throws<ArgumentOutOfRangeException>(() => TemporalCut.Parse("1.5"));
        Assert.Throws<FormatException>(() => TemporalCut.Parse("soon"));
    }
}
