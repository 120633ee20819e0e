using System.Globalization;

namespace Recommender.Benchmarks;

/// <summary>The --name value pairs of a benchmark command; every problem is an <see cref="ArgumentException"/>.</summary>
internal sealed class BenchmarkArguments
{
    private readonly Dictionary<string, string> _values;

    private BenchmarkArguments(Dictionary<string, string> values) => _values = values;

    /// <param name="known">The option names the command takes; null accepts any.</param>
    public static BenchmarkArguments Parse(string[] args, IReadOnlyCollection<string>? known = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var index = 0; index < args.Length; index += 2)
        {
            if (!args[index].StartsWith("--", StringComparison.Ordinal) || index + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected --name value pairs, got '{args[index]}'.");
            }
            var name = args[index][2..];
            if (known is not null && !known.Contains(name))
            {
                throw new ArgumentException($"Unknown option '--{name}'.");
            }
            values[name] = args[index + 1];
        }
        return new BenchmarkArguments(values);
    }

    public string Required(string name) => _values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required.");

    public string? Optional(string name) => _values.GetValueOrDefault(name);

    public int Int32(string name, int fallback, int minimum = int.MinValue)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw new ArgumentException($"--{name} expects a whole number of at least {minimum}, got '{text}'.");
    }

    public double PositiveDouble(string name, double fallback)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"--{name} expects a positive number, got '{text}'.");
    }
}
