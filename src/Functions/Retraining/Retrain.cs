using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Recommender.Model.Storage;
using Recommender.Model.Retraining;

namespace Recommender.Functions.Retraining;

/// <summary>The scheduled retraining: on <c>%RETRAIN_SCHEDULE%</c> (default daily 03:00 UTC), one run where the mode says.</summary>
public sealed partial class Retrain(IRetrainLauncher launcher, ILogger<Retrain> logger)
{
    public const string FunctionName = "Retrain";
    public const string ScheduleExpression = "%" + RetrainSettingNames.Schedule + "%";

    /// <summary>Ends with the run (in-process) or once the job was launched; the outcome is in the run record.</summary>
    [Function(FunctionName)]
    public async Task RunAsync([TimerTrigger(ScheduleExpression)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        if (timer.IsPastDue)
        {
            LogPastDue();
        }
        RetrainLaunch launch;
        try
        {
            launch = await launcher.LaunchAsync(RunTrigger.Timer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (StorageErrors.IsUnreachable(error))
        {
            LogStorageUnreachable(error);
            throw;
        }
        var record = await launch.Completion.ConfigureAwait(false);
        LogOutcome(record.RunId, record.Status, record.Gate?.Reason ?? record.SkipReason ?? string.Join(" ", record.Errors));
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "The Retrain timer fired late (past due)")]
    private partial void LogPastDue();

    [LoggerMessage(EventId = 102, Level = LogLevel.Error,
        Message = "Retrain timer: Blob Storage is unreachable, so no retraining was started and no run record could be saved")]
    private partial void LogStorageUnreachable(Exception error);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Retrain timer: run {RunId} ended {Status}: {Detail}")]
    private partial void LogOutcome(string runId, RunStatus status, string detail);
}
