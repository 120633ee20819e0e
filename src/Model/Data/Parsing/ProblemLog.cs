using System.Text;

namespace Recommender.Model.Data.Parsing;

/// <summary>The rows one file (or one block of it) rejected: the first few in full, all of them counted per reason.</summary>
internal sealed class RowRejections(string file, Encoding encoding, int maxListed)
{
    private const int MaxDisplayedBytes = 200;

    public List<IngestionProblem> Listed { get; } = [];
    public Dictionary<string, long> CountByReason { get; } = new(StringComparer.Ordinal);
    public long Count { get; private set; }

    public void Add(long line, ReadOnlySpan<byte> text, string reason, string detail)
    {
        Count++;
        CountByReason[reason] = CountByReason.GetValueOrDefault(reason) + 1;
        if (Listed.Count < maxListed)
        {
            Listed.Add(new IngestionProblem(file, line, Display(text, encoding), reason) { Detail = detail });
        }
    }

    public static string Display(ReadOnlySpan<byte> text, Encoding encoding) => text.Length <= MaxDisplayedBytes
        ? encoding.GetString(text)
        : encoding.GetString(text[..MaxDisplayedBytes]) + "…";
}

/// <summary>All problems of one load, in file and line order: counted in full, listed up to the option's bound.</summary>
internal sealed class ProblemLog(string sourceName, IngestionOptions options)
{
    private readonly List<IngestionProblem> _listed = [];

    public long Count { get; private set; }
    public IReadOnlyList<IngestionProblem> Listed => _listed;
    public bool SkipBadRows => options.SkipBadRows;
    public int MaxListed => options.MaxListedProblems;

    /// <summary>Adds a file's (or block's) rejections, shifting their line numbers by <paramref name="lineOffset"/>.</summary>
    public void Merge(RowRejections rejections, IngestedFileReport fileReport, long lineOffset = 0)
    {
        Count += rejections.Count;
        foreach (var (reason, count) in rejections.CountByReason)
        {
            fileReport.SkippedByReason[reason] = fileReport.SkippedByReason.GetValueOrDefault(reason) + count;
        }
        foreach (var problem in rejections.Listed)
        {
            if (_listed.Count == options.MaxListedProblems)
            {
                break;
            }
            _listed.Add(problem with { Line = problem.Line + lineOffset });
        }
    }

    /// <summary>Records a problem with a whole file and returns the exception that stops the load.</summary>
    public IngestionException FailFile(string file, string reason, string detail, IngestionReport report, long line = 0, string text = "")
    {
        Count++;
        var problem = new IngestionProblem(file, line, text, reason) { Detail = detail };
        if (_listed.Count < options.MaxListedProblems)
        {
            _listed.Add(problem);
        }
        else
        {
            // The fatal problem must be visible even when the list is already full of row problems.
            _listed[^1] = problem;
        }
        return Fail(report);
    }

    public IngestionException Fail(IngestionReport report)
    {
        CopyTo(report);
        return new IngestionException(sourceName, [.. _listed], Count, report);
    }

    public void CopyTo(IngestionReport report)
    {
        report.ProblemCount = Count;
        report.Problems.Clear();
        report.Problems.AddRange(_listed);
    }
}
