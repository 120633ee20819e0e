using Recommender.Model.Evaluation;

namespace Recommender.Model.Tests.Evaluation;

public class SplitProtocolsTests
{
    [Theory]
    [InlineData("stratified")]
    [InlineData("leave-one-out")]
    [InlineData("temporal")]
    public void CreatesEachNamedProtocolWithTheRequestedK(string name)
    {
        var split = SplitProtocols.Create(name, new SplitOptions { K = 7 }).Split(TestDatasets.WithUserCounts(8, 9, 10), seed: 11);

        Assert.Equal(name, split.Protocol);
        Assert.Equal(7, split.K);
        Assert.Equal(11, split.Seed);
        Assert.NotEqual(0, split.Test.Count);
    }

    [Fact]
    public void UnknownNameListsTheValidOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => SplitProtocols.Create("random"));

        Assert.Contains("Unknown split protocol 'random'", error.Message);
        Assert.Contains("stratified, leave-one-out, temporal", error.Message);
    }
}
