using System.ComponentModel;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Recommender.Model;
using Recommender.Model.Retraining;
using Recommender.Model.Events;
using Recommender.Model.Storage;
using Recommender.Training.Retraining;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Recommender.Training.Cli;

/// <summary>
/// <c>retrain</c>: one run of the retraining pipeline in this process against the storage the app settings (environment
/// variables) name: what the Function App's launchers start, as a child process or as the Container Apps job.
/// </summary>
[Description("Retrain from Blob Storage (settings from environment variables), gate and publish; writes a run record.")]
internal sealed class RetrainCommand(Func<string, string?> appSettings, CliConsoles consoles) : AsyncCommand<RetrainCommand.Settings>
{
    private static readonly IReadOnlyDictionary<string, RunTrigger> Triggers = new Dictionary<string, RunTrigger>(StringComparer.Ordinal)
    {
        ["timer"] = RunTrigger.Timer,
        ["http"] = RunTrigger.Http,
        ["cli"] = RunTrigger.Cli,
    };

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--run-id <ID>")]
        [Description("Carry on this run record (the one a launcher wrote); a new run when omitted.")]
        public string? RunId { get; init; }

        [CommandOption("--trigger <NAME>")]
        [Description("What started the run: timer, http or cli.")]
        [DefaultValue("cli")]
        public string Trigger { get; init; } = "cli";

        [CommandOption("--memory-budget <SIZE>")]
        [Description("Memory training may use, e.g. 40GB; the step sizes are chosen from the data within it (default: 80% of the container's or machine's memory).")]
        public string? MemoryBudget { get; init; }

        public RunTrigger RunTrigger => Triggers[Trigger];

        public override ValidationResult Validate()
        {
            if (!Triggers.ContainsKey(Trigger))
            {
                return ValidationResult.Error($"Option '--trigger' expects timer, http or cli, got '{Trigger}'.");
            }
            if (MemorySize.Check("--memory-budget", MemoryBudget) is { } budgetError)
            {
                return ValidationResult.Error(budgetError);
            }
            if (RunId is not null)
            {
                try
                {
                    RunRecordStore.BlobNameOf(RunId);
                }
                catch (ArgumentException error)
                {
                    return ValidationResult.Error($"Option '--run-id': {error.Message}");
                }
            }
            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        RecommenderStorage storage;
        UserEventStore events;
        RetrainOptions options;
        try
        {
            storage = RecommenderStorage.Create(StorageOptions.FromSettings(appSettings));
            var eventOptions = EventStoreOptions.FromSettings(appSettings);
            events = new UserEventStore(eventOptions.CreateServiceClient(), eventOptions);
            options = RetrainOptions.FromSettings(appSettings) with
            {
                MemoryBudgetBytes = settings.MemoryBudget is { } budget && MemorySize.TryParse(budget, out var bytes) ? bytes : null,
            };
        }
        catch (Exception error) when (error is SettingException)
        {
            throw new CommandFailedException(error.Message, error);
        }

        var pipeline = new RetrainPipeline(RetrainStorage.From(storage, events), options, new ConsoleLogger<RetrainPipeline>(consoles.Error));
        RunRecord record;
        try
        {
            record = await pipeline.RunAsync(settings.RunTrigger, settings.RunId, cancellationToken).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException error)
        {
            throw new CommandFailedException($"Storage refused the run before it started: {error.Message}", error);
        }

        var output = consoles.Output;
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
            consoles.Error.MarkupLineInterpolated($"[red]error:[/] {error}");
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
