namespace Recommender.Model.Data;

/// <summary>How <see cref="MovieLensReader"/> treats bad input and how it reads.</summary>
public sealed record IngestionOptions
{
    public static IngestionOptions Default { get; } = new();

    /// <summary>
    /// False (default): any malformed row fails the load with an <see cref="IngestionException"/>.
    /// True: malformed rows are skipped and counted per reason in the report. File-level problems
    /// (missing ratings file, empty file, bad header, unrecognised layout) fail the load either way.
    /// </summary>
    public bool SkipBadRows { get; init; }

    /// <summary>How many problems the exception message and the report list; all are counted.</summary>
    public int MaxListedProblems { get; init; } = 20;

    /// <summary>Forces a format instead of detecting it from the file names.</summary>
    public MovieLensFormat? Format { get; init; }

    /// <summary>Threads that parse the ratings file; 1 parses on the calling thread.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Bytes per parsed block of the ratings file; small values exercise block boundaries in tests.</summary>
    internal int BlockSize { get; init; } = 4 << 20;
}
