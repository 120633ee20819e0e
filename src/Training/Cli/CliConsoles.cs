using Spectre.Console;

namespace Recommender.Training.Cli;

/// <summary>Where the CLI writes: results and help to <see cref="Output"/>, diagnostics and errors to <see cref="Error"/>.</summary>
internal sealed record CliConsoles(IAnsiConsole Output, IAnsiConsole Error)
{
    public static CliConsoles ForProcess() =>
        new(AnsiConsole.Console, AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }));
}
