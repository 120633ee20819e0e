using System.Globalization;

namespace Recommender.Model.Data;

/// <summary>One malformed row or file: where it is, what it says and why it was rejected.</summary>
/// <param name="Reason">The category, one of <see cref="ProblemReasons"/>; also the key of the skip counts.</param>
public sealed record IngestionProblem(string File, long Line, string Text, string Reason)
{
    /// <summary>Specifics beyond the category: which field, what it held, what was expected.</summary>
    public string? Detail { get; init; }

    public override string ToString()
    {
        var reason = Detail is null ? Reason : $"{Reason} ({Detail})";
        return Line > 0 ? $"{File}:{Line}: {reason}: '{Text}'" : $"{File}: {reason}";
    }
}

/// <summary>The categories of <see cref="IngestionProblem.Reason"/>.</summary>
public static class ProblemReasons
{
    public const string WrongFieldCount = "wrong field count";
    public const string NonNumericField = "non-numeric field";
    public const string RatingOutsideScale = "rating outside scale";
    public const string NonPositiveId = "non-positive id";
    public const string IdOutOfRange = "id out of range";
    public const string TimestampNotInteger = "timestamp not an integer";
    public const string InvalidUtf8 = "invalid UTF-8";
    public const string MalformedQuoting = "malformed quoting";
    public const string InvalidField = "invalid field";
    public const string DuplicateId = "duplicate id";

    // File-level problems: these stop ingestion whatever the skip policy.
    public const string EmptyFile = "empty file";
    public const string BadHeader = "bad header";
    public const string MissingRatingsFile = "missing ratings file";
    public const string UnrecognisedLayout = "unrecognised release layout";
}

/// <summary>What was read from one input file and what became of its rows.</summary>
public sealed class IngestedFileReport
{
    public IngestedFileReport(string file, string role)
    {
        File = file;
        Role = role;
    }

    public string File { get; }

    /// <summary>"ratings", "movies", "tags", "links", "users" or "genres".</summary>
    public string Role { get; }

    public long Bytes { get; set; }

    /// <summary>Data rows read (header excluded).</summary>
    public long RowsRead { get; set; }

    public long RowsKept { get; set; }
    public Dictionary<string, long> SkippedByReason { get; } = new(StringComparer.Ordinal);
    public long RowsSkipped => SkippedByReason.Values.Sum();

    /// <summary>Ratings rows dropped because a later row rated the same movie for the same user.</summary>
    public long DuplicatesMerged { get; set; }

    public override string ToString()
    {
        var text = $"{File} ({Role}, {Bytes:N0} bytes): {RowsRead:N0} rows read, {RowsKept:N0} kept";
        if (DuplicatesMerged > 0)
        {
            text += $", {DuplicatesMerged:N0} duplicates merged";
        }
        return RowsSkipped == 0 ? text : $"{text}, {RowsSkipped:N0} skipped ({IngestionReport.FormatCounts(SkippedByReason)})";
    }
}

/// <summary>What ingestion read, kept, skipped (per reason) and merged; nothing is dropped without a count here.</summary>
/// <remarks>
/// <see cref="RowsRead"/>, <see cref="RowsKept"/>, <see cref="DuplicatesMerged"/> and <see cref="SkippedByReason"/>
/// describe the ratings file: RowsRead = RowsKept + RowsSkipped + DuplicatesMerged. Every file, ratings included,
/// has its own line in <see cref="FileReports"/>; <see cref="Problems"/> and <see cref="ProblemCount"/> cover all files.
/// </remarks>
public sealed class IngestionReport
{
    public List<string> Files { get; } = [];
    public long RowsRead { get; set; }
    public long RowsKept { get; set; }
    public long DuplicatesMerged { get; set; }
    public Dictionary<string, long> SkippedByReason { get; } = new(StringComparer.Ordinal);
    public long RowsSkipped => SkippedByReason.Values.Sum();

    /// <summary>The first problems met (bounded), with file and line.</summary>
    public List<IngestionProblem> Problems { get; } = [];
    public long ProblemCount { get; set; }

    /// <summary>Whether bad rows were skipped (<see cref="IngestionOptions.SkipBadRows"/>) rather than failing the load.</summary>
    public bool BadRowsSkipped { get; set; }

    public List<IngestedFileReport> FileReports { get; } = [];

    public IReadOnlyList<string> ToLines()
    {
        var lines = new List<string>
        {
            $"ratings: {RowsRead:N0} rows read, {RowsKept:N0} kept, {RowsSkipped:N0} skipped, {DuplicatesMerged:N0} duplicate (user, movie) rows merged (latest timestamp kept)",
        };
        if (RowsSkipped > 0)
        {
            lines.Add($"skipped ratings by reason: {FormatCounts(SkippedByReason)}");
        }
        lines.AddRange(FileReports.Select(file => $"  {file}"));
        if (ProblemCount > 0)
        {
            lines.Add($"{ProblemCount:N0} problem(s){(BadRowsSkipped ? " skipped" : "")}; the first {Problems.Count}:");
            lines.AddRange(Problems.Select(problem => $"  {problem}"));
        }
        return lines;
    }

    public override string ToString() => string.Join(Environment.NewLine, ToLines());

    internal static string FormatCounts(IReadOnlyDictionary<string, long> counts) =>
        string.Join(", ", counts.OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => string.Create(CultureInfo.InvariantCulture, $"{pair.Key}: {pair.Value:N0}")));
}
