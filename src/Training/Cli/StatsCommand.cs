using System.Globalization;
using Recommender.Model.Data;
using Spectre.Console;

namespace Recommender.Training.Cli;

/// <summary><c>stats</c>: load a data set and print the ingestion report and a summary of what was loaded.</summary>
internal sealed class StatsCommand(IDatasetLoader datasets) : ICommand
{
    public string Name => "stats";

    public string Summary => "Load a data set and print the ingestion report and a data set summary.";

    public IReadOnlyList<CommandOption> Options { get; } =
    [
        new("data", "MovieLens folder (or ratings file) to load.", "path", Required: true),
        new("skip-bad-rows", "Skip malformed rows (counted in the report) instead of failing."),
    ];

    public int Execute(CommandArguments arguments, CommandContext context)
    {
        var dataset = datasets.Load(arguments.RequiredValue("data"), arguments.Flag("skip-bad-rows"));
        context.Output.Write(IngestionTable(dataset.Report));
        if (dataset.Report.Problems.Count > 0)
        {
            context.Output.WriteLine(
                $"First {dataset.Report.Problems.Count} of {dataset.Report.ProblemCount:N0} problems:");
            foreach (var problem in dataset.Report.Problems)
            {
                context.Output.WriteLine($"  {problem}");
            }
        }
        context.Output.Write(SummaryTable(dataset));
        return ExitCodes.Success;
    }

    private static Table IngestionTable(IngestionReport report)
    {
        var table = new Table().Title("Ingestion").AddColumn("").AddColumn(new TableColumn("").RightAligned()).HideHeaders();
        AddRow(table, "files", string.Join(", ", report.Files.Select(Path.GetFileName)));
        AddRow(table, "rows read", Count(report.RowsRead));
        AddRow(table, "rows kept", Count(report.RowsKept));
        AddRow(table, "duplicates merged", Count(report.DuplicatesMerged));
        AddRow(table, "rows skipped", Count(report.RowsSkipped));
        foreach (var (reason, count) in report.SkippedByReason.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            AddRow(table, $"  {reason}", Count(count));
        }
        return table;
    }

    private static Table SummaryTable(MovieLensDataset dataset)
    {
        var interactions = dataset.Interactions;
        var table = new Table().Title("Data set").AddColumn("").AddColumn(new TableColumn("").RightAligned()).HideHeaders();
        AddRow(table, "name", dataset.Name);
        AddRow(table, "format", dataset.Format);
        AddRow(table, "fingerprint (SHA-256)", dataset.Fingerprint);
        AddRow(table, "users", Count(dataset.Users.Count));
        AddRow(table, "movies with interactions", Count(dataset.Items.Count));
        AddRow(table, "movies in catalogue", Count(dataset.Movies.Count));
        AddRow(table, "interactions", Count(interactions.Count));
        var cells = (double)dataset.Users.Count * dataset.Items.Count;
        AddRow(table, "density", cells == 0 ? "-" : (interactions.Count / cells).ToString("P3", CultureInfo.InvariantCulture));
        AddRow(table, "rating scale", string.Create(CultureInfo.InvariantCulture, $"{dataset.Scale.Min}..{dataset.Scale.Max} step {dataset.Scale.Step}"));
        if (interactions.Count > 0)
        {
            var ratings = interactions.Ratings;
            var mean = 0.0;
            var histogram = new SortedDictionary<float, long>();
            foreach (var rating in ratings)
            {
                mean += rating;
                histogram[rating] = histogram.GetValueOrDefault(rating) + 1;
            }
            AddRow(table, "mean rating", (mean / ratings.Length).ToString("F5", CultureInfo.InvariantCulture));
            AddRow(table, "ratings", string.Join(" ", histogram.Select(pair => string.Create(CultureInfo.InvariantCulture, $"{pair.Key}:{pair.Value}"))));
            var timestamps = interactions.Timestamps;
            var first = long.MaxValue;
            var last = long.MinValue;
            foreach (var timestamp in timestamps)
            {
                first = Math.Min(first, timestamp);
                last = Math.Max(last, timestamp);
            }
            AddRow(table, "first interaction", Instant(first));
            AddRow(table, "last interaction", Instant(last));
            AddRow(table, "interactions per user (min / median / max)", Spread(interactions.Users, dataset.Users.Count));
            AddRow(table, "interactions per movie (min / median / max)", Spread(interactions.Items, dataset.Items.Count));
        }
        AddRow(table, "user profiles", Count(dataset.UserProfiles.Count));
        AddRow(table, "movies with tags", Count(dataset.Tags.Count));
        return table;
    }

    private static string Spread(ReadOnlySpan<int> keys, int keyCount)
    {
        var counts = new int[keyCount];
        foreach (var key in keys)
        {
            counts[key]++;
        }
        Array.Sort(counts);
        return string.Create(CultureInfo.InvariantCulture, $"{counts[0]:N0} / {counts[counts.Length / 2]:N0} / {counts[^1]:N0}");
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Instant(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    // Text cells: names and reasons are shown literally, never parsed as markup.
    private static void AddRow(Table table, string label, string value) => table.AddRow(new Text(label), new Text(value));
}
