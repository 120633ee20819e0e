using System.ComponentModel;
using System.Globalization;
using Recommender.Model.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Recommender.Training.Cli;

/// <summary><c>stats</c>: load a data set and print the ingestion report and a summary of what was loaded.</summary>
[Description("Load a data set and print the ingestion report and a data set summary.")]
internal sealed class StatsCommand(IDatasetLoader datasets, CliConsoles consoles) : Command<DatasetSettings>
{
    public override int Execute(CommandContext context, DatasetSettings settings, CancellationToken cancellationToken)
    {
        var output = consoles.Output;
        var dataset = datasets.Load(settings.Data, settings.SkipBadRows);
        output.Write(IngestionTable(dataset.Report));
        if (dataset.Report.Problems.Count > 0)
        {
            output.WriteLine(
                $"First {dataset.Report.Problems.Count} of {dataset.Report.ProblemCount:N0} problems:");
            foreach (var problem in dataset.Report.Problems)
            {
                output.WriteLine($"  {problem}");
            }
        }
        output.Write(SummaryTable(DatasetSummary.Create(dataset)));
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

    private static Table SummaryTable(DatasetSummary summary)
    {
        var culture = CultureInfo.InvariantCulture;
        var table = new Table().Title("Data set").AddColumn("").AddColumn(new TableColumn("").RightAligned()).HideHeaders();
        AddRow(table, "name", summary.Name);
        AddRow(table, "format", summary.Format);
        AddRow(table, "fingerprint (SHA-256)", summary.Fingerprint);
        AddRow(table, "users", Count(summary.Users));
        AddRow(table, "movies with interactions", Count(summary.ItemsRated));
        AddRow(table, "movies in catalogue", Count(summary.MoviesInCatalogue));
        AddRow(table, "interactions", Count(summary.Interactions));
        AddRow(table, "density", summary.Density.ToString("P3", culture));
        AddRow(table, "rating scale", summary.Scale.ToString());
        if (summary.Interactions > 0)
        {
            AddRow(table, "mean rating", summary.MeanRating.ToString("F5", culture));
            AddRow(table, "ratings", string.Join(" ", summary.RatingHistogram.Select(bucket => string.Create(culture, $"{bucket.Rating}:{bucket.Count}"))));
            AddRow(table, "first interaction", Instant(summary.FirstRatingAt));
            AddRow(table, "last interaction", Instant(summary.LastRatingAt));
            AddRow(table, "interactions per user (min / median / max)",
                string.Create(culture, $"{summary.MinRatingsPerUser:N0} / {summary.MedianRatingsPerUser:0.#} / {summary.MaxRatingsPerUser:N0}"));
            AddRow(table, "interactions per movie (min / median / max)",
                string.Create(culture, $"{summary.MinRatingsPerItem:N0} / {summary.MedianRatingsPerItem:0.#} / {summary.MaxRatingsPerItem:N0}"));
        }
        AddRow(table, "user profiles", Count(summary.UsersWithProfiles));
        AddRow(table, "movies with tags", Count(summary.MoviesWithTags));
        return table;
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Instant(DateTimeOffset? instant) =>
        instant?.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? "-";

    // Text cells: names and reasons are shown literally, never parsed as markup.
    private static void AddRow(Table table, string label, string value) => table.AddRow(new Text(label), new Text(value));
}
