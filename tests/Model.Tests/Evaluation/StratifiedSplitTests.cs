using Recommender.Model.Data;
using Recommender.Model.Evaluation;

namespace Recommender.Model.Tests.Evaluation;

public class StratifiedSplitTests
{
    private static readonly int[] UserCounts = [20, 4, 1, 2, 3, 22];

    [Fact]
    public void EachUserKeepsRoundedThreeQuartersForTrainingAndTenPercentOfThatForValidation()
    {
        var dataset = TestDatasets.WithUserCounts(UserCounts);

        var split = SplitProtocols.Create(SplitProtocols.Stratified).Split(dataset, seed: 42);

        // numpy's round half to even, as python_stratified_split: 0.75·2 = 1.5 → 2, 0.75·22 = 16.5 → 16.
        int[] training = [15, 3, 1, 2, 2, 16];
        int[] validation = [2, 0, 0, 0, 0, 2];
        for (var user = 0; user < UserCounts.Length; user++)
        {
            Assert.Equal(UserCounts[user] - training[user], CountOfUser(split.Test, user));
            Assert.Equal(validation[user], CountOfUser(split.Validation, user));
            Assert.Equal(training[user] - validation[user], CountOfUser(split.Train, user));
        }
    }

    [Fact]
    public void PartsAreDisjointAndCoverEveryInteraction()
    {
        var dataset = TestDatasets.WithUserCounts(UserCounts);

        var split = SplitProtocols.Create(SplitProtocols.Stratified).Split(dataset, seed: 1);

        var train = TestDatasets.Pairs(split.Train, dataset);
        var validation = TestDatasets.Pairs(split.Validation, dataset);
        var test = TestDatasets.Pairs(split.Test, dataset);
        Assert.Equal(dataset.Interactions.Count, train.Count + validation.Count + test.Count);
        Assert.Equal(TestDatasets.Pairs(dataset.Interactions, dataset), train.Union(validation).Union(test).ToHashSet());
        Assert.Empty(train.Intersect(test));
        Assert.Empty(validation.Intersect(test));
        Assert.Empty(train.Intersect(validation));
    }

    [Fact]
    public void SameSeedGivesTheSameSplitAndAnotherSeedAnother()
    {
        var dataset = TestDatasets.WithUserCounts(UserCounts);
        var protocol = SplitProtocols.Create(SplitProtocols.Stratified);

        var first = TestDatasets.Pairs(protocol.Split(dataset, seed: 5).Test, dataset);
        var again = TestDatasets.Pairs(protocol.Split(dataset, seed: 5).Test, dataset);
        var other = TestDatasets.Pairs(protocol.Split(dataset, seed: 6).Test, dataset);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void ItemStratificationSplitsEachMovieThreeQuarters()
    {
        // 4 users rate movies 1..8, so each movie has 4 ratings: 3 for training, 1 held out.
        var dataset = TestDatasets.Create(
            Enumerable.Range(1, 4).SelectMany(user => Enumerable.Range(1, 8).Select(movie => new Rating(user, movie, 3, movie))));
        var options = new SplitOptions { Stratified = new StratifiedSplitOptions { StratifyBy = StratifyBy.Item } };

        var split = SplitProtocols.Create(SplitProtocols.Stratified, options).Split(dataset, seed: 3);

        for (var item = 0; item < dataset.Items.Count; item++)
        {
            Assert.Equal(1, CountOfItem(split.Test, item));
            Assert.Equal(3, CountOfItem(split.Train, item) + CountOfItem(split.Validation, item));
        }
        Assert.Equal("item", split.Parameters["stratify_by"]);
    }

    [Fact]
    public void RecordsItsParameters()
    {
        var split = SplitProtocols.Create(SplitProtocols.Stratified, new SplitOptions { K = 20 })
            .Split(TestDatasets.WithUserCounts(UserCounts), seed: 9);

        Assert.Equal(SplitProtocols.Stratified, split.Protocol);
        Assert.Equal(9, split.Seed);
        Assert.Equal(20, split.K);
        Assert.Equal("0.75", split.Parameters["ratio"]);
        Assert.Equal("user", split.Parameters["stratify_by"]);
        Assert.Equal("0.1", split.Parameters["validation_ratio"]);
    }

    [Fact]
    public void RejectsRatiosOutsideTheOpenUnitInterval()
    {
        var options = new SplitOptions { Stratified = new StratifiedSplitOptions { TrainRatio = 1 } };

        Assert.Throws<ArgumentOutOfRangeException>(() => SplitProtocols.Create(SplitProtocols.Stratified, options));
    }

    private static int CountOfUser(InteractionTable table, int user) => table.Users.Count(user);

    private static int CountOfItem(InteractionTable table, int item) => table.Items.Count(item);
}
