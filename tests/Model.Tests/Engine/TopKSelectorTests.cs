using Recommender.Model.Engine;

namespace Recommender.Model.Tests.Engine;

public class TopKSelectorTests
{
    [Fact]
    public void EqualScores_GoToTheLowerIndex()
    {
        float[] scores = [1f, 3f, 2f, 3f, 3f, 0f, 2f];
        var items = new int[4];
        var best = new float[4];

        var found = TopKSelector.Select(scores, ItemFilter.None, items, best);

        Assert.Equal(4, found);
        Assert.Equal([1, 3, 4, 2], items);
        Assert.Equal([3f, 3f, 3f, 2f], best);
    }

    [Fact]
    public void NaNScoresAndExcludedItems_AreNeverSelected()
    {
        float[] scores = [float.NaN, 5f, 4f, float.NaN, 3f];
        var excluded = new ulong[1];
        ItemFilter.Set(excluded, 1);
        var items = new int[5];
        var best = new float[5];

        var found = TopKSelector.Select(scores, ItemFilter.Excluding(excluded), items, best);

        Assert.Equal(2, found);
        Assert.Equal([2, 4], items[..found]);
    }

    [Fact]
    public void Selection_AgreesWithAFullSort()
    {
        var random = new Random(1);
        // Few distinct values: many ties.
        var scores = Enumerable.Range(0, 5000).Select(_ => (float)random.Next(100)).ToArray();
        var items = new int[50];
        var best = new float[50];

        TopKSelector.Select(scores, ItemFilter.None, items, best);

        var expected = Enumerable.Range(0, scores.Length).OrderByDescending(item => scores[item]).ThenBy(item => item).Take(50);
        Assert.Equal(expected, items);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(64)]
    [InlineData(12)]
    public void ScoreAll_MatchesPlainDotProducts(int dim)
    {
        var random = new Random(dim);
        const int rows = 103;
        var table = Enumerable.Range(0, rows * dim).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var query = Enumerable.Range(0, dim).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var scores = new float[rows];

        MovieScoring.ScoreAll(table, query, scores);

        var expected = Enumerable.Range(0, rows).Select(row => Enumerable.Range(0, dim).Sum(d => (double)table[row * dim + d] * query[d])).ToArray();
        // float32 dot products of at most 64 products below 0.25 in magnitude: rounding stays below 1e-6; leaving out
        // one product (a missed remainder lane) costs about 1e-2.
        Approx.AllEqual(expected, scores, rel: 0, abs: 1e-5, $"vectorised scores over D = {dim}");
    }

    [Fact]
    public void Selection_WithExclusionsAndNaN_AgreesWithAFullSort_OnEveryLengthAndK()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 60; trial++)
        {
            // Lengths around the 8-wide blocks and their tails; few distinct values for many ties.
            var length = 1 + random.Next(300);
            var scores = Enumerable.Range(0, length).Select(_ => random.Next(20) == 0 ? float.NaN : random.Next(40)).ToArray();
            var excluded = new ulong[(length + 63) / 64];
            var excludedItems = Enumerable.Range(0, length).Where(_ => random.Next(5) == 0).ToHashSet();
            foreach (var item in excludedItems)
            {
                ItemFilter.Set(excluded, item);
            }
            var k = 1 + random.Next(30);
            var items = new int[k];
            var best = new float[k];

            var found = TopKSelector.Select(scores, ItemFilter.Excluding(excluded), items, best);

            var expected = Enumerable.Range(0, length)
                .Where(item => !excludedItems.Contains(item) && !float.IsNaN(scores[item]))
                .OrderByDescending(item => scores[item]).ThenBy(item => item)
                .Take(k)
                .ToArray();
            Assert.Equal(expected, items[..found]);
            Assert.Equal(expected.Select(item => scores[item]), best[..found]);
        }
    }
}
