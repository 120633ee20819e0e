using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using Xunit;

namespace Recommender.Testing;

/// <summary>
/// Tolerant comparison of floating-point results, like pytest.approx: a value passes when
/// |actual − expected| ≤ rel·|expected| + abs. Equal infinities pass; NaN never does.
/// </summary>
[StackTraceHidden]
public static class Approx
{
    public static void Equal(
        double expected,
        double actual,
        double rel,
        double abs,
        string? what = null,
        [CallerFilePath] string file = "",
        [CallerLineNumber] int line = 0,
        [CallerMemberName] string member = "")
    {
        var result = Compare<double, double>(new ReadOnlySpan<double>(in expected), new ReadOnlySpan<double>(in actual), rel, abs);
        what ??= "value";
        ToleranceLog.Record(file, line, member, what, result.LargestDifference, result.AllowedAtLargest, result.WorstShare, count: 1);
        if (result.Failing > 0)
        {
            Assert.Fail($"{what}: expected {expected:G9}, actual {actual:G9}, |difference| {result.WorstDifference:G3} > allowed {result.WorstAllowed:G3} (rel {rel:G3}, abs {abs:G3})");
        }
    }

    /// <summary>Element-wise <see cref="Equal"/>; a failure names the worst element (largest share of its allowance).</summary>
    public static void AllEqual(
        ReadOnlySpan<float> expected,
        ReadOnlySpan<float> actual,
        double rel,
        double abs,
        string what,
        [CallerFilePath] string file = "",
        [CallerLineNumber] int line = 0,
        [CallerMemberName] string member = "") =>
        Check(expected, actual, rel, abs, what, file, line, member);

    public static void AllEqual(
        ReadOnlySpan<double> expected,
        ReadOnlySpan<double> actual,
        double rel,
        double abs,
        string what,
        [CallerFilePath] string file = "",
        [CallerLineNumber] int line = 0,
        [CallerMemberName] string member = "") =>
        Check(expected, actual, rel, abs, what, file, line, member);

    /// <summary>A double-precision reference against float results.</summary>
    public static void AllEqual(
        ReadOnlySpan<double> expected,
        ReadOnlySpan<float> actual,
        double rel,
        double abs,
        string what,
        [CallerFilePath] string file = "",
        [CallerLineNumber] int line = 0,
        [CallerMemberName] string member = "") =>
        Check(expected, actual, rel, abs, what, file, line, member);

    private static void Check<TExpected, TActual>(ReadOnlySpan<TExpected> expected, ReadOnlySpan<TActual> actual, double rel, double abs, string what, string file, int line, string member)
        where TExpected : INumberBase<TExpected>
        where TActual : INumberBase<TActual>
    {
        if (expected.Length != actual.Length)
        {
            Assert.Fail($"{what}: {expected.Length} expected values but {actual.Length} actual");
        }
        var result = Compare(expected, actual, rel, abs);
        ToleranceLog.Record(file, line, member, what, result.LargestDifference, result.AllowedAtLargest, result.WorstShare, expected.Length);
        if (result.Failing > 0)
        {
            var worst = result.WorstIndex;
            Assert.Fail(
                $"{what}: {result.Failing} of {expected.Length} values outside rel·|expected| + abs (rel {rel:G3}, abs {abs:G3}); " +
                $"worst [{worst}]: expected {double.CreateTruncating(expected[worst]):G9}, actual {double.CreateTruncating(actual[worst]):G9}, " +
                $"|difference| {result.WorstDifference:G3} > allowed {result.WorstAllowed:G3}; " +
                $"largest |difference| {result.LargestDifference:G3} at [{result.LargestIndex}] (allowed {result.AllowedAtLargest:G3})");
        }
    }

    private static Comparison Compare<TExpected, TActual>(ReadOnlySpan<TExpected> expected, ReadOnlySpan<TActual> actual, double rel, double abs)
        where TExpected : INumberBase<TExpected>
        where TActual : INumberBase<TActual>
    {
        var result = new Comparison();
        for (var i = 0; i < expected.Length; i++)
        {
            var e = double.CreateTruncating(expected[i]);
            var a = double.CreateTruncating(actual[i]);
            // Equal infinities subtract to NaN; NaN anywhere else is a failure, so it counts as infinitely far, and so
            // does anything unequal to an infinite expected value (whose allowance is infinite too).
            var difference = e == a ? 0 : double.IsNaN(a - e) ? double.PositiveInfinity : Math.Abs(a - e);
            var allowed = rel * Math.Abs(e) + abs;
            var share = difference == 0 ? 0 : double.IsFinite(difference) && allowed > 0 ? difference / allowed : double.PositiveInfinity;
            if (share > 1)
            {
                result.Failing++;
            }
            if (i == 0 || share > result.WorstShare)
            {
                (result.WorstIndex, result.WorstShare, result.WorstDifference, result.WorstAllowed) = (i, share, difference, allowed);
            }
            if (i == 0 || difference > result.LargestDifference)
            {
                (result.LargestIndex, result.LargestDifference, result.AllowedAtLargest) = (i, difference, allowed);
            }
        }
        return result;
    }

    private struct Comparison
    {
        public int Failing;
        public int WorstIndex;
        public double WorstShare;
        public double WorstDifference;
        public double WorstAllowed;
        public int LargestIndex;
        public double LargestDifference;
        public double AllowedAtLargest;
    }
}
