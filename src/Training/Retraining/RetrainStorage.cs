using Recommender.Model.Storage;

namespace Recommender.Training.Retraining;

/// <summary>The storage a retraining run uses: the models, the lock, the run records and the data set.</summary>
public sealed record RetrainStorage(
    IModelRepository Models,
    IRetrainLock Lock,
    IRunRecordStore Runs,
    Func<CancellationToken, Task<BlobDatasetSource>> OpenDatasetAsync,
    string DataLocation)
{
    public static RetrainStorage From(RecommenderStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return new RetrainStorage(storage.Models, storage.RetrainLock, storage.Runs, storage.OpenDatasetAsync,
            $"container '{storage.Options.DataContainer}', prefix '{storage.Options.DataPrefix}'");
    }
}
