using System.Diagnostics;
using System.Runtime.CompilerServices;
using Xunit;

namespace Recommender.Testing;

/// <summary>Agreement of ranked lists where the ranking is the contract and scores may differ in the last bits.</summary>
[StackTraceHidden]
public static class TopK
{
    /// <summary>
    /// Passes when at most <paramref name="maxDiffering"/> of the lists differ from their expected list (same items in
    /// the same order); near-equal scores may swap places, so a few may. A failure shows the first differing pair.
    /// </summary>
    public static void MostlyIdentical(
        IReadOnlyList<IReadOnlyList<int>> expected,
        IReadOnlyList<IReadOnlyList<int>> actual,
        int maxDiffering,
        string what,
        [CallerFilePath] string file = "",
        [CallerLineNumber] int line = 0,
        [CallerMemberName] string member = "")
    {
        Assert.True(expected.Count == actual.Count, $"{what}: {expected.Count} expected lists but {actual.Count} actual");
        var differing = Enumerable.Range(0, expected.Count).Where(list => !expected[list].SequenceEqual(actual[list])).ToArray();
        ToleranceLog.Record(file, line, member, $"{what} (differing lists)", differing.Length, maxDiffering, Share(differing.Length, maxDiffering), expected.Count);
        if (differing.Length > maxDiffering)
        {
            var first = differing[0];
            Assert.Fail(
                $"{what}: {differing.Length} of {expected.Count} lists differ (at most {maxDiffering} may); " +
                $"first [{first}]: expected [{string.Join(", ", expected[first])}], actual [{string.Join(", ", actual[first])}]");
        }
    }

    private static double Share(int differing, int maxDiffering) =>
        differing == 0 ? 0 : maxDiffering > 0 ? (double)differing / maxDiffering : double.PositiveInfinity;
}
