using Spectre.Console.Cli;

namespace Recommender.Training.Cli;

/// <summary>
/// Refuses options no command declares. The parser's strict mode would, but it also binds a missing last value to
/// its own placeholder ("--out" at the end becomes "--out __default_command"); the relaxed mode reports a missing
/// value and leaves unknown options in <see cref="CommandContext.Remaining"/>, which this turns into a usage error.
/// </summary>
public sealed class UnknownOptionsInterceptor : ICommandInterceptor
{
    public void Intercept(CommandContext context, CommandSettings settings)
    {
        var unknown = context.Remaining.Parsed.Select(option => option.Key).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException(
                $"Unknown option{(unknown.Count > 1 ? "s" : "")} for '{context.Name}': {string.Join(", ", unknown.Select(option => $"'{option}'"))}.");
        }
        if (context.Remaining.Raw.Count > 0)
        {
            throw new UsageException($"Unexpected argument '{context.Remaining.Raw[0]}': '{context.Name}' takes only options.");
        }
    }
}
