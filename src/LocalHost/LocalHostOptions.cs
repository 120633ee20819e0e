namespace Recommender.LocalHost;

/// <summary>What the local host serves and how (from its command line; tests build it directly).</summary>
public sealed record LocalHostOptions
{
    public const int DefaultPort = 7071;

    /// <summary>The setting (environment variable or settings-file value) holding a fixed function key.</summary>
    public const string FunctionKeySetting = "LOCALHOST_FUNCTION_KEY";

    public int Port { get; init; } = DefaultPort;
    public bool RunTimersAtStart { get; init; }
    public bool EnableTimers { get; init; } = true;
    public string? SettingsFile { get; init; }
    public string? FunctionKey { get; init; }
    public bool TelemetryToConsole { get; init; }

    /// <summary>Settings applied over the file and the environment (tests use it).</summary>
    public IReadOnlyDictionary<string, string?> Overrides { get; init; } = new Dictionary<string, string?>();
}

/// <summary>The host cannot start: a setting, the settings file or a schedule is invalid (the message says which).</summary>
public sealed class LocalHostConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
