using Xunit.Sdk;

namespace Recommender.Model.Tests.Testing;

/// <summary>The shared tolerance assertions: a helper that passed everything would silence every numeric test.</summary>
public class ApproxTests
{
    [Fact]
    public void Equal_AllowsRelativePlusAbsoluteAndNoMore()
    {
        Approx.Equal(100, 100.11, rel: 1e-3, abs: 0.01);
        Approx.Equal(0, 0.01, rel: 1e-3, abs: 0.01);

        var error = Assert.ThrowsAny<XunitException>(() => Approx.Equal(100, 100.12, rel: 1e-3, abs: 0.01, "the value"));
        Assert.StartsWith("the value: expected 100, actual 100.12, |difference| 0.12 > allowed 0.11", error.Message);
    }

    [Fact]
    public void NaNNeverPasses_EqualInfinitiesDo()
    {
        Approx.Equal(double.PositiveInfinity, double.PositiveInfinity, rel: 0, abs: 0);
        Assert.ThrowsAny<XunitException>(() => Approx.Equal(double.NaN, double.NaN, rel: 1, abs: 1));
        Assert.ThrowsAny<XunitException>(() => Approx.Equal(1, double.NaN, rel: 1, abs: 1));
        Assert.ThrowsAny<XunitException>(() => Approx.Equal(double.PositiveInfinity, double.NegativeInfinity, rel: 1, abs: 1));
        Assert.ThrowsAny<XunitException>(() => Approx.Equal(double.PositiveInfinity, 1e300, rel: 1, abs: 1));
    }

    [Fact]
    public void AllEqual_NamesTheWorstElementAndTheLargestDifference()
    {
        float[] expected = [1, 1000, 2, 3];
        float[] actual = [1, 1000.5f, 2.05f, float.NaN];

        var error = Assert.ThrowsAny<XunitException>(() => Approx.AllEqual(expected, actual, rel: 1e-3, abs: 0.01, "vector"));

        Assert.StartsWith("vector: 2 of 4 values outside rel·|expected| + abs (rel 0.001, abs 0.01); worst [3]: expected 3, actual NaN", error.Message);
        Assert.EndsWith("largest |difference| Infinity at [3] (allowed 0.013)", error.Message);
        Assert.ThrowsAny<XunitException>(() => Approx.AllEqual(expected, actual.AsSpan(0, 3), rel: 1, abs: 1, "vector"));
        Approx.AllEqual(expected, [1, 1000.5f, 2.005f, 3], rel: 1e-3, abs: 0.01, "vector");
    }

    [Fact]
    public void TopK_AllowsTheGivenNumberOfDifferingLists()
    {
        int[][] expected = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];
        int[][] actual = [[1, 2, 3], [5, 4, 6], [7, 8, 9, 10]];

        TopK.MostlyIdentical(expected, actual, maxDiffering: 2, "lists");
        var error = Assert.ThrowsAny<XunitException>(() => TopK.MostlyIdentical(expected, actual, maxDiffering: 1, "lists"));
        Assert.Equal("lists: 2 of 3 lists differ (at most 1 may); first [1]: expected [4, 5, 6], actual [5, 4, 6]", error.Message);
    }
}
