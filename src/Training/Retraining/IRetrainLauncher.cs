using Recommender.Model.Storage;

namespace Recommender.Training.Retraining;

/// <summary>Starts a retraining where <see cref="RetrainOptions.Mode"/> says: in this process or in the Container Apps job.</summary>
public interface IRetrainLauncher
{
    /// <summary>
    /// Starts a run. Returns once it was accepted (the lock taken, or the job started) or skipped;
    /// <see cref="RetrainLaunch.Completion"/> ends with the final record where this process runs the work.
    /// </summary>
    /// <param name="runCancellation">Stops the run itself (not only the launch): the host's shutdown token, or none.</param>
    Task<RetrainLaunch> LaunchAsync(RunTrigger trigger, CancellationToken runCancellation = default);
}

/// <param name="Record">The run record as saved at launch: Running, Launched or Skipped.</param>
/// <param name="Completion">The final record: the run in this process, or <paramref name="Record"/> itself when the work is elsewhere or skipped.</param>
public sealed record RetrainLaunch(RunRecord Record, Task<RunRecord> Completion)
{
    public bool Skipped => Record.Status == RunStatus.Skipped;
}

/// <summary>Runs the pipeline in this process, in the background once the lock is taken.</summary>
public sealed class InProcessRetrainLauncher(RetrainPipeline pipeline) : IRetrainLauncher
{
    public async Task<RetrainLaunch> LaunchAsync(RunTrigger trigger, CancellationToken runCancellation = default)
    {
        var start = await pipeline.StartAsync(trigger, runId: null, runCancellation).ConfigureAwait(false);
        if (start.Run is not { } run)
        {
            return new RetrainLaunch(start.Record, Task.FromResult(start.Record));
        }
        // Snapshot the record as started: the run keeps updating its own copy.
        var started = RunRecordStore.Serialize(start.Record);
        var completion = Task.Run(() => run.ExecuteAsync(runCancellation), CancellationToken.None);
        return new RetrainLaunch(RunRecordStore.Deserialize(started), completion);
    }
}
