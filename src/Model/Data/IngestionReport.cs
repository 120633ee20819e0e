namespace Recommender.Model.Data;

/// <summary>One malformed row or file: where it is, what it says and why it was rejected.</summary>
public sealed record IngestionProblem(string File, long Line, string Text, string Reason)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Reason}: '{Text}'" : $"{File}: {Reason}";
}

/// <summary>What ingestion read, kept, skipped (per reason) and merged; nothing is dropped without a count here.</summary>
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
}
