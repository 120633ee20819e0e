using System.Globalization;

namespace Recommender.Training.Cli;

/// <summary>The options given to one command, parsed against its <see cref="ICommand.Options"/>.</summary>
internal sealed class CommandArguments
{
    private readonly IReadOnlyDictionary<string, CommandOption> _options;
    private readonly Dictionary<string, string?> _given;

    private CommandArguments(IReadOnlyDictionary<string, CommandOption> options, Dictionary<string, string?> given)
    {
        _options = options;
        _given = given;
    }

    /// <summary>Parses <c>--name value</c>, <c>--name=value</c> and <c>--flag</c>; every problem is a <see cref="UsageException"/>.</summary>
    public static CommandArguments Parse(ICommand command, IReadOnlyList<string> args)
    {
        var options = command.Options.ToDictionary(option => option.Name, StringComparer.Ordinal);
        var given = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new UsageException($"Unexpected argument '{arg}': '{command.Name}' takes only --options.");
            }
            var separator = arg.IndexOf('=', StringComparison.Ordinal);
            var name = separator < 0 ? arg[2..] : arg[2..separator];
            if (!options.TryGetValue(name, out var option))
            {
                var suggestion = Suggestions.Closest(name, options.Keys);
                throw new UsageException(
                    $"Unknown option '--{name}' for '{command.Name}'." + (suggestion is null ? "" : $" Did you mean '--{suggestion}'?"));
            }
            if (given.ContainsKey(name))
            {
                throw new UsageException($"Option '--{name}' is given more than once.");
            }

            string? value = null;
            if (option.IsFlag)
            {
                if (separator >= 0)
                {
                    throw new UsageException($"Option '--{name}' is a flag and takes no value.");
                }
            }
            else if (separator >= 0)
            {
                value = arg[(separator + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                throw new UsageException($"Option '--{name}' needs a value: {option.Usage}.");
            }
            if (value is { Length: 0 })
            {
                throw new UsageException($"Option '--{name}' needs a non-empty value: {option.Usage}.");
            }
            given[name] = value;
        }

        var missing = command.Options.Where(option => option.Required && !given.ContainsKey(option.Name)).ToList();
        if (missing.Count > 0)
        {
            throw new UsageException(
                $"Missing required option{(missing.Count > 1 ? "s" : "")} for '{command.Name}': {string.Join(", ", missing.Select(option => option.Usage))}.");
        }
        return new CommandArguments(options, given);
    }

    /// <summary>The options given on the command line (flags map to null), by name.</summary>
    public IReadOnlyDictionary<string, string?> Given => _given;

    public bool Has(string name) => _given.ContainsKey(Known(name).Name);

    public bool Flag(string name)
    {
        var option = Known(name);
        return option.IsFlag && _given.ContainsKey(name);
    }

    /// <summary>The given value, else the option's default, else null.</summary>
    public string? Value(string name)
    {
        var option = Known(name);
        return _given.TryGetValue(name, out var value) ? value : option.DefaultValue;
    }

    public string RequiredValue(string name) =>
        Value(name) ?? throw new UsageException($"Option '{Known(name).Usage}' is required.");

    public int Int32(string name, int minimum = int.MinValue)
    {
        var text = RequiredValue(name);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new UsageException($"Option '--{name}' expects an integer, got '{text}'.");
        }
        if (value < minimum)
        {
            throw new UsageException($"Option '--{name}' must be at least {minimum}, got {value}.");
        }
        return value;
    }

    public float Single(string name)
    {
        var text = RequiredValue(name);
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
        {
            throw new UsageException($"Option '--{name}' expects a number, got '{text}'.");
        }
        return value;
    }

    /// <summary>A comma-separated list, trimmed, without empty entries.</summary>
    public IReadOnlyList<string> List(string name) =>
        RequiredValue(name).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private CommandOption Known(string name) =>
        _options.TryGetValue(name, out var option)
            ? option
            : throw new ArgumentException($"The command declares no option '--{name}'.", nameof(name));
}

internal static class Suggestions
{
    /// <summary>The candidate within edit distance 2 of <paramref name="input"/>, if any, nearest first.</summary>
    public static string? Closest(string input, IEnumerable<string> candidates) =>
        candidates
            .Select(candidate => (Candidate: candidate, Distance: EditDistance(input, candidate)))
            .Where(pair => pair.Distance <= 2)
            .OrderBy(pair => pair.Distance).ThenBy(pair => pair.Candidate, StringComparer.Ordinal)
            .Select(pair => pair.Candidate)
            .FirstOrDefault();

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
