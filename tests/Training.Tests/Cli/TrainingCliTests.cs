using Recommender.Training.Cli;
using Spectre.Console;

namespace Recommender.Training.Tests.Cli;

/// <summary>The command line as the library parses it for this CLI: help, usage errors, failures and exit codes.</summary>
public class TrainingCliTests
{
    private readonly InMemoryDatasetLoader _datasets = new(() => InMemoryDatasets.Create(userCount: 5));

    private CliRun Run(params string[] args) => CliRun.With(_datasets, args);

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void OverallHelpListsTheCommands(string helpArgument)
    {
        var run = Run(helpArgument);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("Recommender.Training [OPTIONS] <COMMAND>", run.Output);
        foreach (var command in new[] { "stats", "evaluate", "generate", "train", "export", "recommend", "upload-data", "retrain" })
        {
            Assert.Matches($@"(?m)^\s+{command}\s", run.Output);
        }
        Assert.Contains("Load a data set and print the ingestion report", run.Output);
    }

    [Theory]
    [InlineData("stats", "--help")]
    [InlineData("stats", "--data", "x", "-h")]
    public void CommandHelpListsItsOptionsWithoutRunningIt(params string[] args)
    {
        var run = Run(args);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Empty(_datasets.Calls);
        Assert.Contains("Recommender.Training stats [OPTIONS]", run.Output);
        Assert.Matches(@"--data <PATH>\s+MovieLens folder, release \.zip or ratings file to load\. Required", run.Output);
        Assert.Contains("--skip-bad-rows", run.Output);
    }

    [Fact]
    public void CommandHelpShowsTheDefaults()
    {
        var run = Run("train", "--help");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Matches(@"--seed <N>\s+42\s+Seed of the split", run.Output);
        Assert.Matches(@"--protocol <NAME>\s+stratified\s+Split protocol", run.Output);
    }

    [Fact]
    public void NoArgumentsPrintsHelpToErrorWithUsageExitCode()
    {
        var run = Run();

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("Recommender.Training [OPTIONS] <COMMAND>", run.Error);
        Assert.Empty(run.Output);
    }

    [Fact]
    public void UnknownCommandSuggestsTheClosest()
    {
        var run = Run("evalute", "--data", "x");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("Unknown command 'evalute'.", run.Error);
        Assert.Contains("Did you mean 'evaluate'?", run.Error);
        Assert.Contains("Run 'Recommender.Training <command> --help' for usage.", run.Error);
    }

    [Theory]
    [InlineData("Unknown option for 'stats': '--seeds'.", "stats", "--data", "x", "--seeds", "1")]
    [InlineData("Unknown options for 'stats': '--verbose', '-q'.", "stats", "--data", "x", "--verbose", "-q")]
    [InlineData("Command 'stats' is missing required option 'data'.", "stats", "--skip-bad-rows")]
    [InlineData("Option 'data' is defined but no value has been provided.", "stats", "--data")]
    [InlineData("Option 'seed' is defined but no value has been provided.", "generate", "--seed", "--out", "o")]
    [InlineData("Expected an option value.", "stats", "--data=")]
    [InlineData("Flags cannot be assigned a value.", "stats", "--data", "x", "--skip-bad-rows=yes")]
    [InlineData("Unknown command 'extra'.", "stats", "--data", "x", "extra")]
    [InlineData("Unexpected argument 'extra': 'stats' takes only options.", "stats", "--data", "x", "--", "extra")]
    [InlineData("Option '--users': ten is not a valid value for Int32.", "generate", "--out", "o", "--users", "ten")]
    [InlineData("Option '--users': ten is not a valid value for Int32.", "generate", "--out", "o", "--users=ten")]
    [InlineData("Option '--users' must be at least 1, got 0.", "generate", "--out", "o", "--users", "0")]
    [InlineData("Option '--min-rating': high is not a valid value for Single.", "evaluate", "--data", "d", "--out", "o", "--protocol", "leave-one-out", "--models", "popularity", "--min-rating", "high")]
    [InlineData("Option '--memory-budget' expects a size such as 12GB, 12GiB or 800MB, got 'lots'.", "train", "--data", "d", "--out", "o", "--memory-budget", "lots")]
    [InlineData("Option '--memory-budget' expects a size such as 12GB, 12GiB or 800MB, got '12 PB'.", "train", "--data", "d", "--out", "o", "--memory-budget", "12 PB")]
    [InlineData("Option '--memory-budget' expects a size such as 12GB, 12GiB or 800MB, got '0GB'.", "retrain", "--memory-budget", "0GB")]
    public void MalformedCommandLinesAreUsageErrorsThatNameTheProblem(string message, params string[] args)
    {
        var run = Run(args);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains($"{message}{Environment.NewLine}", run.Error);
        Assert.Contains("--help", run.Error);
        Assert.Empty(_datasets.Calls);
    }

    [Fact]
    public void AMissingLastValueIsAUsageErrorNotAPlaceholderValue()
    {
        var run = Run("generate", "--out");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("Option 'out' is defined but no value has been provided.", run.Error);
        Assert.Empty(run.Output);
    }

    [Fact]
    public void ReadsSeparateAndInlineValuesAndFlags()
    {
        Assert.Equal(ExitCodes.Success, Run("stats", "--data=/tmp/ml", "--skip-bad-rows").ExitCode);
        Assert.Equal(ExitCodes.Success, Run("stats", "--data", "/tmp/other").ExitCode);

        Assert.Equal([("/tmp/ml", true), ("/tmp/other", false)], _datasets.Calls);
    }

    [Fact]
    public void FailuresExitWithOneAndTheirMessage()
    {
        var failing = CliRun.With(
            new InMemoryDatasetLoader(() => throw new CommandFailedException("u.data:17: rating '9' is outside 1..5")), "stats", "--data", "x");
        var missing = CliRun.With(
            new InMemoryDatasetLoader(() => throw new DirectoryNotFoundException("Could not find '/nope'.")), "stats", "--data", "x");

        Assert.Equal(ExitCodes.Failure, failing.ExitCode);
        Assert.Contains("error: u.data:17: rating '9' is outside 1..5", failing.Error);
        Assert.DoesNotContain("--help", failing.Error);
        Assert.Equal(ExitCodes.Failure, missing.ExitCode);
        Assert.Contains("error: Could not find '/nope'.", missing.Error);
    }

    [Fact]
    public void ABugPropagatesWithItsStackTrace()
    {
        var buggy = new InMemoryDatasetLoader(() => throw new InvalidOperationException("a bug"));

        Assert.Throws<InvalidOperationException>(() => CliRun.With(buggy, "stats", "--data", "x"));
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 3)]
    public void ARedirectedConsole_DoesNotWrapLongLines_ATerminalDoes(bool redirected, int lines)
    {
        var writer = new StringWriter();
        // A console on a StringWriter starts at Spectre's 80 columns, as a redirected stream does.
        var console = CliConsoles.Sized(AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Out = new AnsiConsoleOutput(writer) }), redirected);

        console.WriteLine(string.Join(' ', Enumerable.Repeat("gate: accepted", 12)));

        Assert.Equal(lines, writer.ToString().TrimEnd().Split('\n').Length);
    }
}
