using System.Globalization;

namespace Recommender.Model.Serving;

/// <summary>How the serving side follows the published model (settings in <see cref="ServingSettingNames"/>).</summary>
public sealed record ServingOptions
{
    public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromSeconds(30);

    /// <summary>latest.json's ETag is checked at most this often; zero checks on every request.</summary>
    public TimeSpan RefreshInterval { get; init; } = DefaultRefreshInterval;

    /// <summary>Root folder for downloaded bundles; each provider works in its own subfolder of it.</summary>
    public string CacheFolder { get; init; } = DefaultCacheFolder;

    public static string DefaultCacheFolder => Path.Combine(Path.GetTempPath(), "recommender-models");

    /// <summary>Reads MODEL_REFRESH_SECONDS (a non-negative number, fractions allowed) and MODEL_CACHE_FOLDER; blank counts as unset.</summary>
    /// <exception cref="SettingException">A value is invalid (the message names the setting).</exception>
    public static ServingOptions FromSettings(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        string? Read(string name) => setting(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var options = new ServingOptions();
        if (Read(ServingSettingNames.ModelRefreshSeconds) is { } seconds)
        {
            if (!double.TryParse(seconds, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
                || !double.IsFinite(value) || value > TimeSpan.FromDays(1).TotalSeconds)
            {
                throw new SettingException(ServingSettingNames.ModelRefreshSeconds,
                    $"{ServingSettingNames.ModelRefreshSeconds} '{seconds}' is not a number of seconds between 0 and 86400.");
            }
            options = options with { RefreshInterval = TimeSpan.FromSeconds(value) };
        }
        if (Read(ServingSettingNames.ModelCacheFolder) is { } folder)
        {
            options = options with { CacheFolder = Path.GetFullPath(folder) };
        }
        return options;
    }
}
