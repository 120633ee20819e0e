using Azure.Core;
using Azure.Storage.Blobs;

namespace Recommender.Model.Storage;

/// <summary>
/// The storage services for one account, built from <see cref="StorageOptions"/>. A host registers it once, for example
/// <c>services.AddSingleton(RecommenderStorage.Create(StorageOptions.FromSettings(name =&gt; configuration[name])))</c>,
/// and forwards the interfaces (<c>sp =&gt; sp.GetRequiredService&lt;RecommenderStorage&gt;().Models</c>, ...).
/// </summary>
public sealed class RecommenderStorage
{
    public RecommenderStorage(BlobServiceClient service, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Service = service;
        Options = options;
        Models = new ModelRepository(service.GetBlobContainerClient(options.ModelsContainer), options.ModelRetentionCount);
        var runs = service.GetBlobContainerClient(options.RunsContainer);
        RetrainLock = new RetrainLock(runs);
        Runs = new RunRecordStore(runs);
        Checkpoints = new RunCheckpointStore(runs);
    }

    public BlobServiceClient Service { get; }
    public StorageOptions Options { get; }
    public IModelRepository Models { get; }
    public IRetrainLock RetrainLock { get; }
    public IRunRecordStore Runs { get; }
    public IRunCheckpointStore Checkpoints { get; }

    /// <inheritdoc cref="BlobServiceClientFactory.Create"/>
    public static RecommenderStorage Create(StorageOptions options, BlobClientOptions? clientOptions = null, TokenCredential? credential = null) =>
        new(BlobServiceClientFactory.Create(options, clientOptions, credential), options);

    /// <summary>The release under <see cref="StorageOptions.DataContainer"/> and <see cref="StorageOptions.DataPrefix"/>; dispose it after loading.</summary>
    public Task<BlobDatasetSource> OpenDatasetAsync(CancellationToken cancellationToken = default) =>
        BlobDatasetSource.OpenAsync(Service.GetBlobContainerClient(Options.DataContainer), Options.DataPrefix, cancellationToken);
}
