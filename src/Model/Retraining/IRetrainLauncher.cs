using Microsoft.Extensions.Logging;
using Recommender.Model.Storage;

namespace Recommender.Model.Retraining;

/// <summary>
/// Starts a retraining where <see cref="RetrainLaunchOptions.Mode"/> says: the training CLI as a child process, or the
/// Container Apps job. Either way the run is the CLI's <c>retrain</c> command (<see cref="TrainingCliArguments"/>),
/// which takes the lock, trains, gates and publishes, and carries on the "launched" run record written here.
/// </summary>
public interface IRetrainLauncher
{
    /// <summary>
    /// Starts a run. Returns once it was launched or skipped; <see cref="RetrainLaunch.Completion"/> ends with the
    /// final record where this host watches the run (the child process), else with the launched record itself.
    /// </summary>
    /// <param name="runCancellation">Stops the run itself (not only the launch): the host's shutdown token, or none.</param>
    Task<RetrainLaunch> LaunchAsync(RunTrigger trigger, CancellationToken runCancellation = default);
}

/// <param name="Record">The run record as saved at launch: Launched, Skipped or Failed (could not be started).</param>
/// <param name="Completion">The final record: the run this host watches, or <paramref name="Record"/> itself when the work is elsewhere or skipped.</param>
public sealed record RetrainLaunch(RunRecord Record, Task<RunRecord> Completion)
{
    public static RetrainLaunch Finished(RunRecord record) => new(record, Task.FromResult(record));
}

/// <summary>The training CLI's command line for one run, the same for the child process and the job's container.</summary>
public static class TrainingCliArguments
{
    public static IReadOnlyList<string> Retrain(string runId, RunTrigger trigger) =>
        ["retrain", "--run-id", runId, "--trigger", trigger.ToString().ToLowerInvariant()];
}

/// <summary>What every launcher does before starting the work: answer at once when a run holds the lock, else record the launch.</summary>
internal static partial class LaunchRecords
{
    private static readonly TimeSpan ProbeLeaseDuration = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Probes the retrain lock and saves the new record as <see cref="RunStatus.Skipped"/> (with the holder) or
    /// <see cref="RunStatus.Launched"/>. The CLI takes the lock itself, and skips in its record if it lost a race.
    /// </summary>
    public static async Task<RunRecord> BeginAsync(IRunRecordStore runs, IRetrainLock retrainLock, RunTrigger trigger, ILogger logger, CancellationToken cancellationToken)
    {
        var record = RunRecord.Start(trigger, DateTimeOffset.UtcNow);
        var probe = await retrainLock.TryAcquireAsync($"launcher of run {record.RunId} ({trigger})", ProbeLeaseDuration, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        if (probe.Lease is not { } lease)
        {
            record.Status = RunStatus.Skipped;
            record.SkipReason = probe.Reason;
            record.FinishedAt = DateTimeOffset.UtcNow;
            await runs.SaveAsync(record, cancellationToken).ConfigureAwait(false);
            LogSkipped(logger, record.RunId, trigger, probe.Reason);
            return record;
        }
        await lease.ReleaseAsync().ConfigureAwait(false);
        record.Status = RunStatus.Launched;
        await runs.SaveAsync(record, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>Marks the record failed with <paramref name="error"/> and saves it (whatever the caller's cancellation).</summary>
    public static async Task<RunRecord> FailAsync(IRunRecordStore runs, RunRecord record, string error)
    {
        record.Status = RunStatus.Failed;
        record.FinishedAt = DateTimeOffset.UtcNow;
        record.Errors.Add(error);
        await runs.SaveAsync(record, CancellationToken.None).ConfigureAwait(false);
        return record;
    }

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "Retrain run {RunId} ({Trigger}) skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string runId, RunTrigger trigger, string? reason);
}
