using System.Globalization;

namespace Recommender.LocalHost;

/// <summary>Command line of the local host.</summary>
public sealed record LocalHostOptions
{
    public const int DefaultPort = 7071;

    /// <summary>The setting (environment variable or settings-file value) holding a fixed function key.</summary>
    public const string FunctionKeySetting = "LOCALHOST_FUNCTION_KEY";

    public const string Usage =
        """
        Usage: Recommender.LocalHost [--port P] [--run-timers-at-start] [--no-timers] [--settings FILE] [--function-key KEY]
                                     [--telemetry-console]
          --port P               port on 127.0.0.1 (default 7071; 0 picks a free one)
          --run-timers-at-start  run every timer function once right after start (in the background)
          --no-timers            do not schedule timer functions
          --settings FILE        a local.settings.json-style file whose "Values" become settings
                                 (default: local.settings.json in the current folder, when present);
                                 environment variables override them
          --function-key KEY     the key function- and admin-level routes accept (x-functions-key header or
                                 ?code=); default: the LOCALHOST_FUNCTION_KEY setting, else one generated at start
          --telemetry-console    print the serving spans (model version, path, engine time) and metrics (engine
                                 time, model swaps) to the console, as Application Insights would receive them
        """;

    public int Port { get; init; } = DefaultPort;
    public bool RunTimersAtStart { get; init; }
    public bool EnableTimers { get; init; } = true;
    public string? SettingsFile { get; init; }
    public string? FunctionKey { get; init; }
    public bool TelemetryToConsole { get; init; }
    public bool ShowHelp { get; init; }

    /// <summary>Settings applied over the file and the environment (tests use it).</summary>
    public IReadOnlyDictionary<string, string?> Overrides { get; init; } = new Dictionary<string, string?>();

    /// <exception cref="ArgumentException">An unknown option or a bad value (the message names it).</exception>
    public static LocalHostOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LocalHostOptions();
        for (var index = 0; index < args.Count; index++)
        {
            string Value() => index + 1 < args.Count ? args[++index] : throw new ArgumentException($"{args[index]} needs a value.");
            options = args[index] switch
            {
                "--port" => options with { Port = ParsePort(Value()) },
                "--run-timers-at-start" => options with { RunTimersAtStart = true },
                "--no-timers" => options with { EnableTimers = false },
                "--settings" => options with { SettingsFile = Value() },
                "--function-key" => options with { FunctionKey = Value() },
                "--telemetry-console" => options with { TelemetryToConsole = true },
                "--help" or "-h" => options with { ShowHelp = true },
                var unknown => throw new ArgumentException($"Unknown option '{unknown}'."),
            };
        }
        return options;
    }

    private static int ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new ArgumentException($"--port '{text}' is not a port number (0 to 65535).");
}

/// <summary>The host cannot start: a setting, the settings file or a schedule is invalid (the message says which).</summary>
public sealed class LocalHostConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
