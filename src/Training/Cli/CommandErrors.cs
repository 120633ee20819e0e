using System.Runtime.ExceptionServices;
using System.Text.RegularExpressions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Recommender.Training.Cli;

/// <summary>
/// How a run that throws ends: a command line the parser, the settings or the command refuse is a usage error
/// (exit code 2, pointing to the help); a failure of the command's work prints its message (exit code 1). Anything
/// else is a bug and propagates with its stack trace.
/// </summary>
internal static partial class CommandErrors
{
    public static int Report(Exception exception, IReadOnlyList<string> args, IAnsiConsole error)
    {
        switch (exception)
        {
            case CommandParseException { Pretty: { } pretty }:
                error.Write(pretty);
                return UsageHint(error);
            case CommandRuntimeException or UsageException:
                error.MarkupLineInterpolated($"[red]error:[/] {WithOptionName(exception, args)}");
                return UsageHint(error);
            case CommandFailedException or IOException or UnauthorizedAccessException:
                error.MarkupLineInterpolated($"[red]error:[/] {exception.Message}");
                return ExitCodes.Failure;
            default:
                ExceptionDispatchInfo.Throw(exception);
                return ExitCodes.Failure;
        }
    }

    private static int UsageHint(IAnsiConsole error)
    {
        error.WriteLine($"Run '{TrainingCli.ProgramName} <command> --help' for usage.");
        return ExitCodes.Usage;
    }

    /// <summary>
    /// The library's message for a value it cannot convert names the value and the type but not the option: this
    /// names the option that was given that value, with the converter's reason.
    /// </summary>
    private static string WithOptionName(Exception exception, IReadOnlyList<string> args)
    {
        var match = ConversionFailure().Match(exception.Message);
        if (!match.Success || exception.InnerException is null)
        {
            return exception.Message;
        }
        var value = match.Groups["value"].Value;
        for (var index = 0; index < args.Count; index++)
        {
            var separator = args[index].IndexOfAny(['=', ':']);
            var option = args[index].StartsWith("--", StringComparison.Ordinal) && separator > 0 && args[index][(separator + 1)..] == value
                ? args[index][..separator]
                : args[index].StartsWith('-') && index + 1 < args.Count && args[index + 1] == value ? args[index] : null;
            if (option is not null)
            {
                // An ArgumentException's Message ends in " (Parameter 'value')", the converter's parameter.
                var reason = exception.InnerException is ArgumentException { ParamName: { } parameter } argument
                    ? argument.Message.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal)
                    : exception.InnerException.Message;
                return $"Option '{option}': {reason}";
            }
        }
        return exception.Message;
    }

    [GeneratedRegex("^Failed to convert '(?<value>.*)' to ")]
    private static partial Regex ConversionFailure();
}
