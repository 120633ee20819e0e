using Recommender.Training.Cli;

namespace Recommender.Training.Tests.Cli;

public class CommandArgumentsTests
{
    private sealed class SampleCommand : ICommand
    {
        public string Name => "sample";
        public string Summary => "A command to parse against.";
        public IReadOnlyList<CommandOption> Options { get; } =
        [
            new("data", "Input.", "path", Required: true),
            new("seed", "Seed.", "n", DefaultValue: "42"),
            new("models", "Models.", "list"),
            new("skip-bad-rows", "A flag."),
        ];

        public int Execute(CommandArguments arguments, CommandContext context) => ExitCodes.Success;
    }

    private static CommandArguments Parse(params string[] args) => CommandArguments.Parse(new SampleCommand(), args);

    private static string ParseError(params string[] args) => Assert.Throws<UsageException>(() => Parse(args)).Message;

    [Fact]
    public void ReadsSeparateAndInlineValuesFlagsAndDefaults()
    {
        var arguments = Parse("--data", "/tmp/ml", "--models=a, b,,c", "--skip-bad-rows");

        Assert.Equal("/tmp/ml", arguments.RequiredValue("data"));
        Assert.Equal(["a", "b", "c"], arguments.List("models"));
        Assert.True(arguments.Flag("skip-bad-rows"));
        Assert.Equal(42, arguments.Int32("seed"));
        Assert.False(arguments.Has("seed"));
    }

    [Fact]
    public void AbsentFlagIsFalse()
    {
        Assert.False(Parse("--data", "x").Flag("skip-bad-rows"));
    }

    [Fact]
    public void UnknownOptionSuggestsTheClosest()
    {
        Assert.Equal("Unknown option '--seeds' for 'sample'. Did you mean '--seed'?", ParseError("--data", "x", "--seeds", "1"));
        Assert.Equal("Unknown option '--verbose' for 'sample'.", ParseError("--data", "x", "--verbose"));
    }

    [Theory]
    [InlineData("Missing required option for 'sample': --data <path>.", "--seed", "1")]
    [InlineData("Option '--seed' needs a value: --seed <n>.", "--data", "x", "--seed")]
    [InlineData("Option '--seed' needs a value: --seed <n>.", "--seed", "--data", "x")]
    [InlineData("Option '--data' needs a non-empty value: --data <path>.", "--data=")]
    [InlineData("Option '--data' is given more than once.", "--data", "x", "--data", "y")]
    [InlineData("Option '--skip-bad-rows' is a flag and takes no value.", "--data", "x", "--skip-bad-rows=yes")]
    [InlineData("Unexpected argument 'extra': 'sample' takes only --options.", "--data", "x", "extra")]
    public void MalformedCommandLinesAreUsageErrors(string message, params string[] args)
    {
        Assert.Equal(message, ParseError(args));
    }

    [Fact]
    public void IntegerValuesAreCheckedForFormatAndMinimum()
    {
        Assert.Equal(-3, Parse("--data", "x", "--seed", "-3").Int32("seed"));
        Assert.Equal(
            "Option '--seed' expects an integer, got 'ten'.",
            Assert.Throws<UsageException>(() => Parse("--data", "x", "--seed", "ten").Int32("seed")).Message);
        Assert.Equal(
            "Option '--seed' must be at least 1, got 0.",
            Assert.Throws<UsageException>(() => Parse("--data", "x", "--seed", "0").Int32("seed", minimum: 1)).Message);
    }
}
