using Recommender.Training.Cli;

namespace Recommender.Training.Tests.Cli;

public class CommandRegistryTests
{
    private sealed class RecordingCommand(string name, Func<CommandArguments, int> execute) : ICommand
    {
        public string Name => name;
        public string Summary => $"The {name} command.";
        public IReadOnlyList<CommandOption> Options { get; } =
        [
            new("input", "Where to read from.", "path", Required: true),
            new("k", "Cut-off.", "n", DefaultValue: "10"),
        ];

        public int Execute(CommandArguments arguments, CommandContext context) => execute(arguments);
    }

    private static CommandRegistry CreateRegistry(Func<CommandArguments, int>? execute = null) =>
        new("tool", [new RecordingCommand("evaluate", execute ?? (_ => ExitCodes.Success)), new RecordingCommand("stats", _ => ExitCodes.Success)]);

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public void OverallHelpListsTheCommands(string helpArgument)
    {
        var captured = new CapturedContext();

        var exitCode = CreateRegistry().Run([helpArgument], captured.Context);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("Usage: tool <command> [options]", captured.Output);
        Assert.Contains("evaluate", captured.Output);
        Assert.Contains("The stats command.", captured.Output);
    }

    [Theory]
    [InlineData("evaluate", "--help")]
    [InlineData("evaluate", "--input", "x", "-h")]
    [InlineData("help", "evaluate")]
    public void CommandHelpListsItsOptionsWithoutRunningIt(params string[] args)
    {
        var captured = new CapturedContext();
        var ran = false;

        var exitCode = CreateRegistry(_ => { ran = true; return ExitCodes.Success; }).Run(args, captured.Context);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.False(ran);
        Assert.Contains("Usage: tool evaluate --input <path> [options]", captured.Output);
        Assert.Contains("Where to read from. (required)", captured.Output);
        Assert.Contains("Cut-off. (default: 10)", captured.Output);
    }

    [Fact]
    public void NoArgumentsPrintsHelpToErrorWithUsageExitCode()
    {
        var captured = new CapturedContext();

        Assert.Equal(ExitCodes.Usage, CreateRegistry().Run([], captured.Context));
        Assert.Contains("Usage: tool <command>", captured.Error);
    }

    [Fact]
    public void UnknownCommandSuggestsAndListsCommands()
    {
        var captured = new CapturedContext();

        var exitCode = CreateRegistry().Run(["evalute", "--input", "x"], captured.Context);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("error: Unknown command 'evalute'. Did you mean 'evaluate'? Commands: evaluate, stats.", captured.Error);
        Assert.Contains("Run 'tool --help' for usage.", captured.Error);
        Assert.Equal(ExitCodes.Usage, CreateRegistry().Run(["help", "train"], new CapturedContext().Context));
    }

    [Fact]
    public void UsageErrorsPointToTheCommandHelp()
    {
        var captured = new CapturedContext();

        var exitCode = CreateRegistry().Run(["evaluate", "--k", "3"], captured.Context);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("error: Missing required option for 'evaluate': --input <path>.", captured.Error);
        Assert.Contains("Run 'tool evaluate --help' for usage.", captured.Error);
    }

    [Fact]
    public void PassesParsedArgumentsAndReturnsTheCommandExitCode()
    {
        string? input = null;
        var registry = CreateRegistry(arguments => { input = arguments.RequiredValue("input"); return 7; });

        Assert.Equal(7, registry.Run(["evaluate", "--input=/data"], new CapturedContext().Context));
        Assert.Equal("/data", input);
    }

    [Fact]
    public void FailuresExitWithOneAndTheirMessage()
    {
        var captured = new CapturedContext();
        var registry = CreateRegistry(_ => throw new CommandFailedException("u.data:17: rating '9' is outside 1..5"));

        Assert.Equal(ExitCodes.Failure, registry.Run(["evaluate", "--input", "x"], captured.Context));
        Assert.Contains("error: u.data:17: rating '9' is outside 1..5", captured.Error);
        var missing = CreateRegistry(_ => throw new DirectoryNotFoundException("Could not find '/nope'."));
        Assert.Equal(ExitCodes.Failure, missing.Run(["evaluate", "--input", "x"], new CapturedContext().Context));
    }

    [Fact]
    public void DuplicateCommandNamesAreRejected()
    {
        var registry = CreateRegistry();

        Assert.Throws<ArgumentException>(() => registry.Add(new RecordingCommand("stats", _ => 0)));
    }
}
