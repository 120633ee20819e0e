using Azure;

namespace Recommender.Model.Storage;

/// <summary>
/// Versioned model bundles in Blob Storage: <c>&lt;version&gt;/&lt;file&gt;</c> per version, <c>latest.json</c> naming the
/// published one, <c>rejected/&lt;version&gt;/</c> for bundles the gate turned down.
/// </summary>
public interface IModelRepository
{
    /// <summary>What latest.json says, with its ETag; null when nothing was published.</summary>
    Task<LatestModel?> GetLatestAsync(CancellationToken cancellationToken = default);

    /// <summary>latest.json's ETag alone (one HEAD request), for a periodic "has it changed" poll; null when nothing was published.</summary>
    Task<ETag?> GetLatestETagAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Uploads every file of <paramref name="bundleFolder"/> (which must hold manifest.json; it goes last) to
    /// <c>&lt;version&gt;/</c>, then points latest.json at it on condition that latest.json is still
    /// <paramref name="replacing"/>, then prunes old versions.
    /// </summary>
    /// <param name="replacing">The latest model this one replaces, as read by <see cref="GetLatestAsync"/> (usually at
    /// the start of the run, before the gate compared against it); null when nothing is expected to be published.</param>
    /// <exception cref="ModelPublishConflictException">latest.json changed since <paramref name="replacing"/> was read; nothing was published.</exception>
    /// <exception cref="ModelStorageException">The version exists already, or uploading failed; latest.json was not changed.</exception>
    Task<PublishedModel> PublishAsync(string bundleFolder, string version, LatestModel? replacing, IProgress<BundleUploadProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Keeps a bundle the gate rejected under <c>rejected/&lt;version&gt;/</c> for inspection, without publishing it.</summary>
    Task<StoredBundle> StoreRejectedAsync(string bundleFolder, string version, CancellationToken cancellationToken = default);

    /// <summary>Points latest.json at an already uploaded, complete version (a rollback), on the same condition as <see cref="PublishAsync"/>.</summary>
    Task<LatestModel> PromoteAsync(string version, LatestModel? replacing, CancellationToken cancellationToken = default);

    /// <summary>
    /// Downloads a version into <paramref name="localFolder"/> (replacing what is there): files go to a staging
    /// folder beside it that is renamed only once every file arrived and matched its recorded SHA-256.
    /// </summary>
    /// <exception cref="ModelVersionNotFoundException">The version has no blobs.</exception>
    /// <exception cref="ModelStorageException">The version is incomplete, or a file does not match its SHA-256.</exception>
    Task<DownloadedModel> DownloadAsync(string version, string localFolder, CancellationToken cancellationToken = default);

    /// <summary>Version folders (not rejected ones), newest first.</summary>
    Task<IReadOnlyList<StoredModelVersion>> ListVersionsAsync(CancellationToken cancellationToken = default);

    /// <summary>Rejected bundles, newest first.</summary>
    Task<IReadOnlyList<StoredModelVersion>> ListRejectedAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes complete versions beyond the retention count (oldest first), never the one latest.json names, and
    /// incomplete uploads untouched for longer than the abandoned-upload age; the same retention applies to rejected
    /// bundles. Returns the deleted versions (rejected ones as "rejected/VERSION").
    /// </summary>
    Task<IReadOnlyList<string>> PruneAsync(CancellationToken cancellationToken = default);
}
