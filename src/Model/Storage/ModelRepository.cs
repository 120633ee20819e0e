using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Recommender.Model.Storage;

/// <summary>
/// <see cref="IModelRepository"/> over one container. Layout: <c>&lt;version&gt;/&lt;file&gt;</c> (each blob with a
/// "sha256" metadata entry, manifest.json uploaded last so its presence marks a complete upload),
/// <c>latest.json</c> (<c>{"version","publishedAt","manifestSha256"}</c>), <c>rejected/&lt;version&gt;/&lt;file&gt;</c>.
/// Blobs are never overwritten, and latest.json only moves, under an ETag condition, once a version is complete:
/// a reader that follows latest.json never sees a partial model, and two publishers cannot overwrite each other.
/// This class owns latest.json (read, conditional write, conflicts); uploads, downloads and pruning are in
/// <see cref="BundleUploader"/>, <see cref="BundleDownloader"/> and <see cref="ModelRetention"/>.
/// </summary>
public sealed class ModelRepository : IModelRepository
{
    public const string LatestBlobName = "latest.json";
    public const string ManifestFileName = "manifest.json";
    public const string RejectedPrefix = "rejected/";
    public const string Sha256MetadataKey = "sha256";

    /// <summary>
    /// On manifest.json: when the upload completed, to the tick, by the uploader's clock. Blob Storage's own creation
    /// time has whole seconds only, too coarse to order versions published in quick succession.
    /// </summary>
    public const string CompletedAtMetadataKey = "completedat";

    /// <summary>Identifies the upload that wrote a blob, so that a retried write whose first attempt landed is recognised.</summary>
    public const string UploadIdMetadataKey = "uploadid";

    private static readonly TimeSpan DefaultAbandonedUploadAge = TimeSpan.FromDays(1);
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private readonly BlobContainerClient _container;
    private readonly TimeProvider _time;
    private readonly BundleUploader _uploader;
    private readonly BundleDownloader _downloader;
    private readonly ModelRetention _retention;
    private volatile bool _containerExists;

    /// <param name="retentionCount">Complete versions pruning keeps (and rejected bundles, counted separately).</param>
    /// <param name="abandonedUploadAge">An incomplete version untouched this long is an abandoned upload that pruning
    /// deletes; younger ones may be uploads in progress and are kept. One day when null.</param>
    public ModelRepository(BlobContainerClient container, int retentionCount, TimeSpan? abandonedUploadAge = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentOutOfRangeException.ThrowIfLessThan(retentionCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(abandonedUploadAge ?? TimeSpan.Zero, TimeSpan.Zero, nameof(abandonedUploadAge));
        _container = container;
        _time = timeProvider ?? TimeProvider.System;
        var abandonedAge = abandonedUploadAge ?? DefaultAbandonedUploadAge;
        _uploader = new BundleUploader(container, _time, abandonedAge);
        _downloader = new BundleDownloader(container);
        _retention = new ModelRetention(container, retentionCount, abandonedAge, _time);
    }

    public string ContainerName => _container.Name;

    /// <summary>Versions are single path segments: letters, digits, '.', '_' and '-', at most 100 characters.</summary>
    public static bool IsValidVersion(string version) =>
        version.Length is >= 1 and <= 100
        && char.IsAsciiLetterOrDigit(version[0])
        && version.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')
        && !string.Equals(version, RejectedPrefix.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
        && !string.Equals(version, LatestBlobName, StringComparison.OrdinalIgnoreCase);

    public async Task<LatestModel?> GetLatestAsync(CancellationToken cancellationToken = default)
    {
        BlobDownloadResult download;
        try
        {
            download = (await _container.GetBlobClient(LatestBlobName).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            return null;
        }
        LatestDocument? document;
        try
        {
            document = download.Content.ToObjectFromJson<LatestDocument>(JsonOptions);
        }
        catch (JsonException error)
        {
            throw new ModelStorageException($"{LatestBlobName} in container '{ContainerName}' is not valid JSON: {error.Message}", error);
        }
        if (document is null || document.Version is null || !IsValidVersion(document.Version) || document.ManifestSha256 is null)
        {
            throw new ModelStorageException($"{LatestBlobName} in container '{ContainerName}' must hold a valid \"version\" and a \"manifestSha256\".");
        }
        return new LatestModel(document.Version, document.PublishedAt, document.ManifestSha256, download.Details.ETag);
    }

    public async Task<ETag?> GetLatestETagAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return (await _container.GetBlobClient(LatestBlobName).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value.ETag;
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            return null;
        }
    }

    public async Task<PublishedModel> PublishAsync(string bundleFolder, string version, LatestModel? replacing, IProgress<BundleUploadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        CheckVersion(version);
        var bundle = LocalBundle.Read(bundleFolder);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);

        // Fail before uploading anything when another publisher already moved latest.json.
        if (await GetLatestETagAsync(cancellationToken).ConfigureAwait(false) != replacing?.ETag)
        {
            throw await ConflictAsync(version, replacing, "before its upload started", removedUpload: null, inner: null, cancellationToken).ConfigureAwait(false);
        }

        var created = await _uploader.UploadAsync(bundle, version + "/", version, progress, cancellationToken).ConfigureAwait(false);
        LatestModel latest;
        try
        {
            latest = await WriteLatestAsync(version, bundle.ManifestSha256, replacing, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is RequestFailedException or AggregateException)
        {
            // A retried write whose first attempt landed fails its condition although this version was published.
            var current = await TryGetLatestAsync(cancellationToken).ConfigureAwait(false);
            if (current is { } landed && landed.Version == version && landed.ManifestSha256 == bundle.ManifestSha256)
            {
                latest = landed;
            }
            else if (error is RequestFailedException conditionFailure && IsConditionFailure(conditionFailure, replacing))
            {
                var cleanup = await _uploader.DeleteBestEffortAsync(created).ConfigureAwait(false);
                throw await ConflictAsync(version, replacing, "while its files were uploading", cleanup, error, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                throw new ModelStorageException(
                    $"Version '{version}' was uploaded completely to container '{ContainerName}' but {LatestBlobName} could not be updated, so it is not published: {error.Message}",
                    error);
            }
        }

        var (pruned, pruneError) = await PruneReportingAsync(cancellationToken).ConfigureAwait(false);
        return new PublishedModel(latest, bundle.Files.Count, bundle.Bytes, pruned, pruneError);
    }

    public async Task<StoredBundle> StoreRejectedAsync(string bundleFolder, string version, CancellationToken cancellationToken = default)
    {
        CheckVersion(version);
        var bundle = LocalBundle.Read(bundleFolder);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var prefix = RejectedPrefix + version + "/";
        await _uploader.UploadAsync(bundle, prefix, version, progress: null, cancellationToken).ConfigureAwait(false);
        var (pruned, pruneError) = await PruneReportingAsync(cancellationToken).ConfigureAwait(false);
        return new StoredBundle(version, ContainerName, prefix, bundle.Files.Count, bundle.Bytes, pruned, pruneError);
    }

    public async Task<LatestModel> PromoteAsync(string version, LatestModel? replacing, CancellationToken cancellationToken = default)
    {
        CheckVersion(version);
        var manifest = _container.GetBlobClient(version + "/" + ManifestFileName);
        BlobProperties properties;
        try
        {
            properties = (await manifest.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            throw new ModelVersionNotFoundException(version,
                $"Version '{version}' cannot be promoted: container '{ContainerName}' has no complete upload of it ('{manifest.Name}' is missing).");
        }
        if (!properties.Metadata.TryGetValue(Sha256MetadataKey, out var manifestSha256))
        {
            throw new ModelStorageException($"'{manifest.Name}' in container '{ContainerName}' has no {Sha256MetadataKey} metadata: it was not uploaded by {nameof(ModelRepository)}.");
        }
        try
        {
            return await WriteLatestAsync(version, manifestSha256, replacing, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException error) when (IsConditionFailure(error, replacing))
        {
            throw await ConflictAsync(version, replacing, "before the promotion", removedUpload: null, error, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<DownloadedModel> DownloadAsync(string version, string localFolder, CancellationToken cancellationToken = default)
    {
        CheckVersion(version);
        ArgumentException.ThrowIfNullOrWhiteSpace(localFolder);
        return await _downloader.DownloadAsync(version, localFolder, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredModelVersion>> ListVersionsAsync(CancellationToken cancellationToken = default) =>
        [.. (await _retention.ListBundlesAsync(cancellationToken).ConfigureAwait(false)).Published.Select(bundle => bundle.Info)];

    public async Task<IReadOnlyList<StoredModelVersion>> ListRejectedAsync(CancellationToken cancellationToken = default) =>
        [.. (await _retention.ListBundlesAsync(cancellationToken).ConfigureAwait(false)).Rejected.Select(bundle => bundle.Info)];

    public async Task<IReadOnlyList<string>> PruneAsync(CancellationToken cancellationToken = default) =>
        await _retention.PruneAsync(await GetLatestAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private async Task<(IReadOnlyList<string> Pruned, string? Error)> PruneReportingAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await PruneAsync(cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception error) when (error is RequestFailedException or AggregateException or ModelStorageException)
        {
            return ([], $"Pruning container '{ContainerName}' failed: {error.Message}");
        }
    }

    private async Task<LatestModel> WriteLatestAsync(string version, string manifestSha256, LatestModel? replacing, CancellationToken cancellationToken)
    {
        var publishedAt = _time.GetUtcNow();
        var content = BinaryData.FromObjectAsJson(new LatestDocument(version, publishedAt, manifestSha256), JsonOptions);
        var options = new BlobUploadOptions
        {
            Conditions = replacing is null ? new BlobRequestConditions { IfNoneMatch = ETag.All } : new BlobRequestConditions { IfMatch = replacing.ETag },
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json", CacheControl = "no-cache" },
        };
        var response = await _container.GetBlobClient(LatestBlobName).UploadAsync(content, options, cancellationToken).ConfigureAwait(false);
        return new LatestModel(version, publishedAt, manifestSha256, response.Value.ETag);
    }

    // If-None-Match: * on an existing blob answers 409, If-Match 412, and If-Match on a deleted blob 404.
    private static bool IsConditionFailure(RequestFailedException error, LatestModel? replacing) =>
        error.Status is 409 or 412 || (error.Status == 404 && replacing is not null && error.ErrorCode != BlobErrorCode.ContainerNotFound);

    private async Task<LatestModel?> TryGetLatestAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await GetLatestAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is RequestFailedException or AggregateException or ModelStorageException)
        {
            return null;
        }
    }

    private async Task<ModelPublishConflictException> ConflictAsync(string version, LatestModel? replacing, string when, string? removedUpload, Exception? inner, CancellationToken cancellationToken)
    {
        string actual;
        string? actualVersion = null;
        try
        {
            var current = await GetLatestAsync(cancellationToken).ConfigureAwait(false);
            actualVersion = current?.Version;
            actual = current is null ? "no longer exists" : $"now names '{current.Version}' (ETag {current.ETag})";
        }
        catch (Exception error) when (error is RequestFailedException or AggregateException or ModelStorageException)
        {
            actual = $"could not be read again ({error.Message})";
        }
        var expected = replacing is null ? "not to exist (nothing published)" : $"to name '{replacing.Version}' (ETag {replacing.ETag})";
        var message = $"Version '{version}' was not published: {LatestBlobName} in container '{ContainerName}' changed {when}. " +
            $"It was expected {expected} but {actual}; another publisher published first.";
        if (removedUpload is not null)
        {
            message += " " + removedUpload;
        }
        return new ModelPublishConflictException(version, replacing?.Version, actualVersion, message, inner);
    }

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (!_containerExists)
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            _containerExists = true;
        }
    }

    private static void CheckVersion(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (!IsValidVersion(version))
        {
            throw new ArgumentException(
                $"Model version '{version}' is not valid: use 1 to 100 letters, digits, '.', '_' and '-', starting with a letter or digit " +
                $"(and not '{RejectedPrefix.TrimEnd('/')}' or '{LatestBlobName}').", nameof(version));
        }
    }

    private sealed record LatestDocument(string? Version, DateTimeOffset PublishedAt, string? ManifestSha256);
}
