using System.Globalization;

namespace Recommender.Testing;

/// <summary>
/// When RECOMMENDER_TOLERANCE_LOG names a file, keeps per assertion site (and thing compared there) the largest
/// difference seen, the allowance there and the largest share of an allowance used, and appends one line each to the
/// file when the test process exits. Without the variable it records nothing.
/// </summary>
internal static class ToleranceLog
{
    private static readonly string? LogPath = Environment.GetEnvironmentVariable("RECOMMENDER_TOLERANCE_LOG") is { Length: > 0 } path ? path : null;
    private static readonly Dictionary<(string FileName, int Line, string What), Site> Sites = [];
    private static readonly Lock Gate = new();

    static ToleranceLog()
    {
        if (LogPath is not null)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Write(LogPath);
        }
    }

    public static void Record(string file, int line, string member, string what, double difference, double allowed, double share, long count)
    {
        if (LogPath is null)
        {
            return;
        }
        // A theory's cases, or one helper's callers, tell their comparisons apart by what they compare.
        var key = (Path.GetFileName(file), line, what);
        lock (Gate)
        {
            if (!Sites.TryGetValue(key, out var site))
            {
                site = new Site(key.Item1, line, member, what);
                Sites.Add(key, site);
            }
            site.Count += count;
            if (difference > site.LargestDifference)
            {
                (site.LargestDifference, site.Allowed) = (difference, allowed);
            }
            site.WorstShare = Math.Max(site.WorstShare, share);
        }
    }

    private static void Write(string path)
    {
        string[] lines;
        lock (Gate)
        {
            lines = [.. Sites.Values.OrderBy(site => site.FileName, StringComparer.Ordinal).ThenBy(site => site.Line).Select(site => string.Create(CultureInfo.InvariantCulture,
                $"{site.FileName}:{site.Line}\t{site.Member}\t{site.What}\tcompared={site.Count}\tmax|a-e|={site.LargestDifference:G3}\tallowed={site.Allowed:G3}\tworst share of allowance={site.WorstShare:P1}"))];
        }
        // Test projects run in parallel processes that may exit together: retry while another one is appending.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                File.AppendAllLines(path, lines);
                return;
            }
            catch (IOException) when (attempt < 50)
            {
                Thread.Sleep(20);
            }
        }
    }

    private sealed class Site(string file, int line, string member, string what)
    {
        public string FileName { get; } = file;
        public int Line { get; } = line;
        public string Member { get; } = member;
        public string What { get; } = what;
        public long Count { get; set; }
        public double LargestDifference { get; set; } = double.NegativeInfinity;
        public double Allowed { get; set; }
        public double WorstShare { get; set; }
    }
}
