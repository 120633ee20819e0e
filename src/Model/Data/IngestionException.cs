using System.Text;

namespace Recommender.Model.Data;

/// <summary>
/// A data set could not be loaded. <see cref="Exception.Message"/> names the source, the total problem count and
/// the first problems with file, line, text and reason; <see cref="Problems"/> holds those problems.
/// </summary>
public sealed class IngestionException : Exception
{
    public IngestionException(string sourceName, IReadOnlyList<IngestionProblem> problems, long problemCount, IngestionReport? report = null)
        : base(Summarise(sourceName, problems, problemCount))
    {
        SourceName = sourceName;
        Problems = problems;
        ProblemCount = problemCount;
        Report = report;
    }

    public string SourceName { get; }

    /// <summary>The first problems (as many as <see cref="IngestionOptions.MaxListedProblems"/>).</summary>
    public IReadOnlyList<IngestionProblem> Problems { get; }

    public long ProblemCount { get; }

    /// <summary>Counts of what was read before the load failed; null when it failed before reading rows.</summary>
    public IngestionReport? Report { get; }

    private static string Summarise(string sourceName, IReadOnlyList<IngestionProblem> problems, long problemCount)
    {
        var text = new StringBuilder();
        text.Append($"Cannot load MovieLens data set '{sourceName}': {problemCount:N0} problem(s)");
        text.Append(problems.Count < problemCount ? $"; the first {problems.Count}:" : ":");
        foreach (var problem in problems)
        {
            text.Append(Environment.NewLine).Append("  ").Append(problem);
        }
        if (problems.Count < problemCount)
        {
            text.Append(Environment.NewLine).Append($"  ... and {problemCount - problems.Count:N0} more.");
        }
        if (problems.Any(problem => !IsFileLevel(problem.Reason)))
        {
            text.Append(Environment.NewLine).Append("To skip malformed rows instead (they are counted in the report), set IngestionOptions.SkipBadRows (CLI: --skip-bad-rows).");
        }
        return text.ToString();
    }

    internal static bool IsFileLevel(string reason) => reason is ProblemReasons.EmptyFile or ProblemReasons.BadHeader
        or ProblemReasons.MissingRatingsFile or ProblemReasons.UnrecognisedLayout;
}
