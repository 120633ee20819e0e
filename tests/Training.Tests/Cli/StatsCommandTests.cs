using Recommender.Model.Data;
using Recommender.Training.Cli;

namespace Recommender.Training.Tests.Cli;

public class StatsCommandTests
{
    private static (int ExitCode, CliRun Captured) Run(IDatasetLoader source, params string[] args)
    {
        var run = CliRun.With(source, ["stats", .. args]);
        return (run.ExitCode, run);
    }

    [Fact]
    public void PrintsTheIngestionReportAndTheDataSetSummary()
    {
        var report = new IngestionReport { RowsRead = 12, RowsKept = 10, DuplicatesMerged = 1, ProblemCount = 1 };
        report.Files.Add("/data/tiny/u.data");
        report.SkippedByReason["rating out of range"] = 1;
        report.Problems.Add(new IngestionProblem("u.data", 7, "1\t2\t9\t3", "rating out of range"));
        var dataset = InMemoryDatasets.Create(userCount: 5, report);
        var source = new InMemoryDatasetLoader(() => dataset);

        var (exitCode, captured) = Run(source, "--data", "/data/tiny", "--skip-bad-rows");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal([("/data/tiny", true)], source.Calls);
        var output = captured.Output;
        Assert.Contains("u.data", output);
        Assert.Matches(@"rows read\s+│\s+12", output);
        Assert.Matches(@"rating out of range\s+│\s+1", output);
        Assert.Contains("u.data:7: rating out of range: '1\t2\t9\t3'", output);
        Assert.Matches(@"users\s+│\s+5 ", output);
        Assert.Matches($@"interactions\s+│\s+{dataset.Interactions.Count} ", output);
        Assert.Matches($@"movies with interactions\s+│\s+{dataset.Items.Count} ", output);
        Assert.Contains("0123abcd", output);
    }

    [Fact]
    public void BadDataExitsWithOneAndTheFileLineMessages()
    {
        var source = new InMemoryDatasetLoader(() => throw new CommandFailedException("u.data:2: expected 4 fields, got 3 (1 problem)"));

        var (exitCode, captured) = Run(source, "--data", "/data/bad");

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("u.data:2: expected 4 fields, got 3 (1 problem)", captured.Error);
    }
}
