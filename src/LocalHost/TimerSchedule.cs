using System.Globalization;
using NCrontab;

namespace Recommender.LocalHost;

/// <summary>
/// A timer trigger's schedule as the Functions host reads it: a six-field NCRONTAB expression (seconds first) or a
/// TimeSpan interval (hh:mm:ss), after resolving a %SETTING% reference from the configuration. Times are UTC.
/// </summary>
internal sealed class TimerSchedule
{
    private readonly CrontabSchedule? _cron;
    private readonly TimeSpan? _interval;

    private TimerSchedule(string expression, CrontabSchedule? cron, TimeSpan? interval)
    {
        Expression = expression;
        _cron = cron;
        _interval = interval;
    }

    public string Expression { get; }

    /// <exception cref="LocalHostConfigurationException">The setting is missing or the expression is invalid (the message names them).</exception>
    public static TimerSchedule Resolve(string functionName, string schedule, Func<string, string?> setting)
    {
        var expression = schedule;
        if (schedule.Length > 2 && schedule.StartsWith('%') && schedule.EndsWith('%'))
        {
            var name = schedule[1..^1];
            expression = setting(name) is { } value && !string.IsNullOrWhiteSpace(value)
                ? value.Trim()
                : throw new LocalHostConfigurationException($"Timer function '{functionName}': its schedule setting {name} is not set.");
        }
        if (!expression.Contains(' ', StringComparison.Ordinal)
            && TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero)
        {
            return new TimerSchedule(expression, null, interval);
        }
        var cron = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        return cron is not null
            ? new TimerSchedule(expression, cron, null)
            : throw new LocalHostConfigurationException(
                $"Timer function '{functionName}': schedule '{expression}'{(expression == schedule ? "" : $" (from {schedule})")} is neither a six-field NCRONTAB expression " +
                "(second minute hour day month day-of-week, for example '0 0 3 * * *') nor an hh:mm:ss interval.");
    }

    public DateTime NextAfter(DateTime utc) => _cron?.GetNextOccurrence(utc) ?? utc + _interval!.Value;
}
