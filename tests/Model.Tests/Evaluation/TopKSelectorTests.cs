using Recommender.Model.Evaluation;

namespace Recommender.Model.Tests.Evaluation;

public class TopKSelectorTests
{
    [Fact]
    public void TakesTheBestScoresBestFirstAndBreaksTiesByLowerIndex()
    {
        float[] scores = [1, 5, 3, 5, 2, 5, 0];
        var (items, selectedScores) = Select(scores, new bool[scores.Length], k: 4);

        Assert.Equal([1, 3, 5, 2], items);
        Assert.Equal([5f, 5, 5, 3], selectedScores);
    }

    [Fact]
    public void TieAtTheCutOffKeepsTheLowerIndex()
    {
        float[] scores = [2, 7, 2, 2, 9];
        var (items, _) = Select(scores, new bool[scores.Length], k: 3);

        Assert.Equal([4, 1, 0], items);
    }

    [Fact]
    public void SkipsExcludedItemsAndReturnsFewerWhenCandidatesRunOut()
    {
        float[] scores = [9, 8, 7, 6];
        bool[] excluded = [true, false, true, false];
        var (items, _) = Select(scores, excluded, k: 3);

        Assert.Equal([1, 3], items);
    }

    [Fact]
    public void MatchesAFullSortOnRandomScoresWithManyTies()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 50; trial++)
        {
            var scores = Enumerable.Range(0, 500).Select(_ => (float)random.Next(40)).ToArray();
            var excluded = scores.Select(_ => random.Next(5) == 0).ToArray();
            var k = 1 + random.Next(30);

            var expected = Enumerable.Range(0, scores.Length)
                .Where(item => !excluded[item])
                .OrderByDescending(item => scores[item]).ThenBy(item => item)
                .Take(k);
            Assert.Equal(expected, Select(scores, excluded, k).Items);
        }
    }

    private static (int[] Items, float[] Scores) Select(float[] scores, bool[] excluded, int k)
    {
        var selector = new TopKSelector(k);
        selector.Select(scores, excluded);
        var items = new int[k];
        var selected = new float[k];
        var count = selector.DrainSortedTo(items, selected);
        return (items[..count], selected[..count]);
    }
}
