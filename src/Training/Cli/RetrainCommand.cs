using System.Globalization;
using Microsoft.Extensions.Logging;
using Recommender.Model.Retraining;
using Recommender.Model.Storage;
using Recommender.Training.Retraining;
using Spectre.Console;

namespace Recommender.Training.Cli;

/// <summary>
/// <c>retrain</c>: one run of the retraining pipeline in this process against the storage the app settings (environment
/// variables) name: what the Function App's launchers start, as a child process or as the Container Apps job.
/// </summary>
internal sealed class RetrainCommand(Func<string, string?> settings) : ICommand
{
    public string Name => "retrain";

    public string Summary => "Retrain from Blob Storage (settings from environment variables), gate and publish; writes a run record.";

    public IReadOnlyList<CommandOption> Options { get; } =
    [
        new("run-id", "Carry on this run record (the one a launcher wrote); a new run when omitted.", "id"),
        new("trigger", "What started the run: timer, http or cli.", "name", DefaultValue: "cli"),
    ];

    public int Execute(CommandArguments arguments, CommandContext context)
    {
        var trigger = arguments.RequiredValue("trigger") switch
        {
            "timer" => RunTrigger.Timer,
            "http" => RunTrigger.Http,
            "cli" => RunTrigger.Cli,
            var other => throw new UsageException($"Option '--trigger' expects timer, http or cli, got '{other}'."),
        };
        var runId = arguments.Has("run-id") ? arguments.RequiredValue("run-id") : null;
        if (runId is not null)
        {
            try
            {
                RunRecordStore.BlobNameOf(runId);
            }
            catch (ArgumentException error)
            {
                throw new UsageException($"Option '--run-id': {error.Message}");
            }
        }

        RecommenderStorage storage;
        RetrainOptions options;
        try
        {
            storage = RecommenderStorage.Create(StorageOptions.FromSettings(settings));
            options = RetrainOptions.FromSettings(settings);
        }
        catch (Exception error) when (error is StorageConfigurationException or RetrainConfigurationException)
        {
            throw new CommandFailedException(error.Message, error);
        }

        var pipeline = new RetrainPipeline(RetrainStorage.From(storage), options, new ConsoleLogger<RetrainPipeline>(context.Error));
        RunRecord record;
        try
        {
            record = pipeline.RunAsync(trigger, runId).GetAwaiter().GetResult();
        }
        catch (Azure.RequestFailedException error)
        {
            throw new CommandFailedException($"Storage refused the run before it started: {error.Message}", error);
        }

        var output = context.Output;
        output.WriteLine($"Run {record.RunId}: {record.Status.ToString().ToLowerInvariant()}");
        if (record.SkipReason is not null)
        {
            output.WriteLine($"  skipped: {record.SkipReason}");
        }
        if (record.Gate is { } gate)
        {
            output.WriteLine($"  gate: {gate.Reason}");
        }
        if (record.PublishedVersion is not null)
        {
            output.WriteLine($"  published {record.PublishedVersion}");
        }
        foreach (var (name, value) in record.Metrics.Where(pair => pair.Key.Contains("ndcg", StringComparison.Ordinal)))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name} {value:F4}"));
        }
        foreach (var error in record.Errors)
        {
            context.Error.MarkupLineInterpolated($"[red]error:[/] {error}");
        }
        output.WriteLine($"Run record: container '{storage.Options.RunsContainer}', blob '{RunRecordStore.BlobNameOf(record.RunId)}'");
        return record.Status == RunStatus.Failed ? ExitCodes.Failure : ExitCodes.Success;
    }

    /// <summary>Log lines (information and above) on the CLI's diagnostic stream.</summary>
    private sealed class ConsoleLogger<T>(IAnsiConsole console) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            var line = formatter(state, exception) + (exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})");
            // One unwrapped line per event, as log collectors expect.
            console.Profile.Out.Writer.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} {logLevel.ToString().ToLowerInvariant()}: {line}");
        }
    }
}
