using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Recommender.LocalHost;

/// <summary>The local host's only command: serve the Function App's classes on 127.0.0.1 until Ctrl+C.</summary>
[Description("A development and load-test host for the Function App's classes on 127.0.0.1; production runs on the Functions host.")]
internal sealed class LocalHostCommand : AsyncCommand<LocalHostCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--port <PORT>")]
        [Description("Port on 127.0.0.1 (0 picks a free one).")]
        [DefaultValue(LocalHostOptions.DefaultPort)]
        public int Port { get; init; } = LocalHostOptions.DefaultPort;

        [CommandOption("--run-timers-at-start")]
        [Description("Run every timer function once right after start (in the background).")]
        public bool RunTimersAtStart { get; init; }

        [CommandOption("--no-timers")]
        [Description("Do not schedule timer functions.")]
        public bool NoTimers { get; init; }

        [CommandOption("--settings <FILE>")]
        [Description("A local.settings.json-style file whose \"Values\" become settings (default: local.settings.json in the current folder, when present); environment variables override them.")]
        public string? SettingsFile { get; init; }

        [CommandOption("--function-key <KEY>")]
        [Description($"The key function- and admin-level routes accept (x-functions-key header or ?code=); default: the {LocalHostOptions.FunctionKeySetting} setting, else one generated at start.")]
        public string? FunctionKey { get; init; }

        [CommandOption("--telemetry-console")]
        [Description("Print the serving spans (model version, path, engine time) and metrics (engine time, model swaps) to the console, as Application Insights would receive them.")]
        public bool TelemetryToConsole { get; init; }

        public override ValidationResult Validate() =>
            Port is < 0 or > 65535
                ? ValidationResult.Error($"Option '--port' must be a port number (0 to 65535), got {Port}.")
                : ValidationResult.Success();

        public LocalHostOptions ToOptions() => new()
        {
            Port = Port,
            RunTimersAtStart = RunTimersAtStart,
            EnableTimers = !NoTimers,
            SettingsFile = SettingsFile,
            FunctionKey = FunctionKey,
            TelemetryToConsole = TelemetryToConsole,
        };
    }

    // Relaxed parsing leaves unknown options here (strict parsing would bind a missing last value to a placeholder).
    public override ValidationResult Validate(CommandContext context, Settings settings) =>
        context.Remaining.Parsed.Count > 0 || context.Remaining.Raw.Count > 0
            ? ValidationResult.Error($"Unknown option '{context.Remaining.Parsed.Select(option => option.Key).Concat(context.Remaining.Raw).First()}'.")
            : ValidationResult.Success();

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var host = await LocalFunctionHost.StartAsync(settings.ToOptions(), cancellationToken);
        Console.WriteLine($"Serving on {host.BaseAddress} (function key: {host.FunctionKey}). Press Ctrl+C to stop.");
        foreach (var line in host.Describe())
        {
            Console.WriteLine(line);
        }
        await host.WaitForShutdownAsync();
        return 0;
    }
}
