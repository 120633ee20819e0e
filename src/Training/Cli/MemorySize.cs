using System.Globalization;
using System.Text.RegularExpressions;

namespace Recommender.Training.Cli;

/// <summary>Sizes such as "12GB", "12 GiB", "800MB" or a plain byte count, for --memory-budget.</summary>
internal static partial class MemorySize
{
    /// <summary>The bytes <paramref name="text"/> names; false when it is not a positive size.</summary>
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var match = SizePattern().Match(text);
        if (!match.Success || !double.TryParse(match.Groups["number"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        var unit = match.Groups["unit"].Value.ToUpperInvariant();
        var scale = unit switch
        {
            "" or "B" => 1d,
            "KB" => 1e3,
            "MB" => 1e6,
            "GB" => 1e9,
            "TB" => 1e12,
            "KIB" => 1024d,
            "MIB" => 1024d * 1024,
            "GIB" => 1024d * 1024 * 1024,
            _ => 1024d * 1024 * 1024 * 1024,
        };
        var value = number * scale;
        if (value is < 1 or > long.MaxValue)
        {
            return false;
        }
        bytes = (long)value;
        return true;
    }

    /// <summary>The error for an invalid value of <paramref name="option"/>, or null when it is valid (or not given).</summary>
    public static string? Check(string option, string? text) =>
        text is null || TryParse(text, out _) ? null : $"Option '{option}' expects a size such as 12GB, 12GiB or 800MB, got '{text}'.";

    [GeneratedRegex(@"^\s*(?<number>\d+(\.\d+)?)\s*(?<unit>[KMGT]i?B|B)?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex SizePattern();
}
