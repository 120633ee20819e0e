using Recommender.Model.Events;
using Recommender.Model.Storage;

namespace Recommender.Training.Retraining;

/// <summary>
/// The storage a retraining run uses: the models, the lock, the run records and training checkpoints, the data set and
/// the user events.
/// </summary>
public sealed record RetrainStorage(
    IModelRepository Models,
    IRetrainLock Lock,
    IRunRecordStore Runs,
    IRunCheckpointStore Checkpoints,
    Func<CancellationToken, Task<BlobDatasetSource>> OpenDatasetAsync,
    string DataLocation,
    Func<CancellationToken, IAsyncEnumerable<UserEvents>> ReadEvents)
{
    public static RetrainStorage From(RecommenderStorage storage, UserEventStore events)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(events);
        return new RetrainStorage(storage.Models, storage.RetrainLock, storage.Runs, storage.Checkpoints, storage.OpenDatasetAsync,
            $"container '{storage.Options.DataContainer}', prefix '{storage.Options.DataPrefix}'", events.ReadAllAsync);
    }
}
