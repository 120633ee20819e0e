using Spectre.Console;

namespace Recommender.Training.Cli;

/// <summary>One subcommand of the CLI (for example <c>evaluate</c>); each lives in its own class.</summary>
internal interface ICommand
{
    string Name { get; }

    /// <summary>One line for the overall help.</summary>
    string Summary { get; }

    IReadOnlyList<CommandOption> Options { get; }

    /// <summary>Runs the command on already validated arguments and returns the exit code.</summary>
    /// <exception cref="UsageException">An option value is invalid (exit code 2).</exception>
    /// <exception cref="CommandFailedException">The command could not do its work (exit code 1).</exception>
    int Execute(CommandArguments arguments, CommandContext context);
}

/// <summary>
/// An option <c>--name</c>: a flag when <see cref="ValueName"/> is null, otherwise it takes one value
/// (<c>--name value</c> or <c>--name=value</c>).
/// </summary>
internal sealed record CommandOption(
    string Name, string Description, string? ValueName = null, bool Required = false, string? DefaultValue = null)
{
    public bool IsFlag => ValueName is null;

    public string Usage => IsFlag ? $"--{Name}" : $"--{Name} <{ValueName}>";
}

/// <summary>Where a command writes: results to <see cref="Output"/>, diagnostics to <see cref="Error"/>.</summary>
internal sealed record CommandContext(IAnsiConsole Output, IAnsiConsole Error)
{
    public static CommandContext ForProcess() =>
        new(AnsiConsole.Console, AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }));
}

public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
}

/// <summary>The command line is wrong: unknown command or option, missing or malformed value. Exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>The command was well formed but failed (bad data, unreadable file, …). Exit code 1.</summary>
internal sealed class CommandFailedException(string message, Exception? innerException = null) : Exception(message, innerException);
