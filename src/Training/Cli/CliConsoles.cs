using Spectre.Console;

namespace Recommender.Training.Cli;

/// <summary>Where the CLI writes: results and help to <see cref="Output"/>, diagnostics and errors to <see cref="Error"/>.</summary>
internal sealed record CliConsoles(IAnsiConsole Output, IAnsiConsole Error)
{
    /// <summary>
    /// The width of a stream that goes to a file or another process. Spectre assumes 80 columns there and wraps
    /// longer lines, which splits log lines (the retrain launcher reads this CLI's output into the host's log).
    /// </summary>
    public const int RedirectedWidth = 4096;

    public static CliConsoles ForProcess() =>
        new(
            Sized(AnsiConsole.Console, Console.IsOutputRedirected),
            Sized(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }), Console.IsErrorRedirected));

    /// <summary>Sets a redirected console's width to <see cref="RedirectedWidth"/>; a terminal keeps its own.</summary>
    public static IAnsiConsole Sized(IAnsiConsole console, bool redirected)
    {
        ArgumentNullException.ThrowIfNull(console);
        if (redirected)
        {
            console.Profile.Width = RedirectedWidth;
        }
        return console;
    }
}
