using System.Diagnostics;
using Azure;
using Recommender.Model.Data;
using Recommender.Model.Evaluation;
using Recommender.Model.Storage;
using Recommender.Training.Trainers;

namespace Recommender.Training.Retraining;

/// <summary>The run's training checkpoint in the runs container, and the progress it writes after every epoch.</summary>
public sealed partial class RetrainPipeline
{
    /// <summary>
    /// The run's training checkpoint: the one a stopped execution of this run left in the runs container, when there is
    /// one for the same data and options (a retried job execution resumes from it), else an empty one.
    /// </summary>
    private async Task<TrainingCheckpoint> ReadCheckpointAsync(RunRecord record, MovieLensDataset dataset, TrainingOptions training, string workFolder, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(workFolder, "checkpoints");
        var checkpoint = new TrainingCheckpoint(folder, CheckpointIdentity.For(ModelName, dataset.Fingerprint, $"{SplitProtocols.Temporal}, k {options.K}", training));
        if (await storage.Checkpoints.DownloadLatestAsync(record.RunId, folder, cancellationToken).ConfigureAwait(false) && checkpoint.Mismatch() is { } mismatch)
        {
            record.Errors.Add($"The run's checkpoint was not resumed, training starts again: {mismatch}.");
            LogCheckpointNotResumed(record.RunId, mismatch);
            Directory.Delete(folder, recursive: true);
        }
        return checkpoint;
    }

    private async Task DeleteCheckpointQuietlyAsync(string runId)
    {
        try
        {
            await storage.Checkpoints.DeleteAsync(runId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception error) when (StorageErrors.IsUnreachable(error) || error is RequestFailedException)
        {
            LogCheckpointNotDeleted(runId, error);
        }
    }

    /// <summary>
    /// On the training thread after each epoch: logs it, writes the progress into the run record and uploads the
    /// epoch's checkpoint beside the record. A storage failure here is logged and training goes on.
    /// </summary>
    private sealed class EpochProgress(RetrainPipeline pipeline, RetrainStorage storage, RunRecord record, TrainingCheckpoint checkpoint, int maxEpochs) : IProgress<EpochReport>
    {
        private readonly Stopwatch _elapsed = Stopwatch.StartNew();
        private int _epochs;

        public void Report(EpochReport value)
        {
            pipeline.LogEpoch(record.RunId, value.Epoch, value.Stage, Math.Round(value.Loss, 4), Math.Round(value.ValidationNdcg, 4), Math.Round(value.Seconds, 2));
            _epochs++;
            record.Progress = TrainingProgress.After(value.Stage.ToString(), value.Epoch, maxEpochs, _elapsed.Elapsed, _epochs, DateTimeOffset.UtcNow);
            try
            {
                storage.Runs.SaveAsync(record).GetAwaiter().GetResult();
                if (checkpoint.LatestEpochFolder() is { } epochFolder)
                {
                    storage.Checkpoints.UploadEpochAsync(record.RunId, Path.GetDirectoryName(checkpoint.Folder)!, epochFolder).GetAwaiter().GetResult();
                }
            }
            catch (Exception error) when (StorageErrors.IsUnreachable(error) || error is RequestFailedException or IOException)
            {
                pipeline.LogProgressNotSaved(record.RunId, value.Epoch, error);
            }
        }
    }
}
