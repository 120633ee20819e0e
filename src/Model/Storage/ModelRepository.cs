using System.Globalization;
using System.Security.Cryptography;
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
    private readonly int _retentionCount;
    private readonly TimeSpan _abandonedUploadAge;
    private readonly TimeProvider _time;
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
        _retentionCount = retentionCount;
        _abandonedUploadAge = abandonedUploadAge ?? DefaultAbandonedUploadAge;
        _time = timeProvider ?? TimeProvider.System;
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

        var created = await UploadAsync(bundle, version + "/", version, progress, cancellationToken).ConfigureAwait(false);
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
                var cleanup = await DeleteBestEffortAsync(created).ConfigureAwait(false);
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
        await UploadAsync(bundle, prefix, version, progress: null, cancellationToken).ConfigureAwait(false);
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
        var prefix = version + "/";
        var blobs = new List<BlobItem>();
        try
        {
            await foreach (var blob in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix, Traits = BlobTraits.Metadata }, cancellationToken).ConfigureAwait(false))
            {
                if (!IsDirectoryMarker(blob))
                {
                    blobs.Add(blob);
                }
            }
        }
        catch (RequestFailedException error) when (error.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            throw new ModelVersionNotFoundException(version, $"Version '{version}' cannot be downloaded: container '{ContainerName}' does not exist.");
        }
        if (blobs.Count == 0)
        {
            throw new ModelVersionNotFoundException(version, $"Version '{version}' has no files in container '{ContainerName}'.");
        }
        if (!blobs.Any(blob => blob.Name == prefix + ManifestFileName))
        {
            throw new ModelStorageException($"Version '{version}' in container '{ContainerName}' is incomplete (no {ManifestFileName}): an upload in progress or one that failed.");
        }

        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(localFolder));
        var parent = Path.GetDirectoryName(target) ?? throw new ArgumentException($"'{localFolder}' cannot be a download folder: it has no parent folder.", nameof(localFolder));
        Directory.CreateDirectory(parent);
        var staging = $"{target}.partial-{Guid.NewGuid():N}";
        try
        {
            long bytes = 0;
            string? manifestSha256 = null;
            foreach (var blob in blobs)
            {
                var relative = blob.Name[prefix.Length..];
                var path = Path.GetFullPath(Path.Combine(staging, relative));
                if (!path.StartsWith(staging + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    throw new ModelStorageException($"Blob '{blob.Name}' in container '{ContainerName}' has a name that leaves the version folder.");
                }
                var (sha256, length) = await DownloadFileAsync(blob, path, cancellationToken).ConfigureAwait(false);
                if (blob.Metadata.TryGetValue(Sha256MetadataKey, out var expected) && !string.Equals(expected, sha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ModelStorageException(
                        $"File '{relative}' of version '{version}' in container '{ContainerName}' does not match the SHA-256 recorded at upload (recorded {expected}, downloaded {sha256}).");
                }
                if (relative == ManifestFileName)
                {
                    manifestSha256 = sha256;
                }
                bytes += length;
            }

            if (Directory.Exists(target))
            {
                var previous = $"{target}.old-{Guid.NewGuid():N}";
                Directory.Move(target, previous);
                try
                {
                    Directory.Move(staging, target);
                }
                catch (IOException)
                {
                    Directory.Move(previous, target);
                    throw;
                }
                Directory.Delete(previous, recursive: true);
            }
            else
            {
                Directory.Move(staging, target);
            }
            return new DownloadedModel(version, target, manifestSha256!, blobs.Count, bytes);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    public async Task<IReadOnlyList<StoredModelVersion>> ListVersionsAsync(CancellationToken cancellationToken = default) =>
        [.. (await ListBundlesAsync(cancellationToken).ConfigureAwait(false)).Published.Select(bundle => bundle.Info)];

    public async Task<IReadOnlyList<StoredModelVersion>> ListRejectedAsync(CancellationToken cancellationToken = default) =>
        [.. (await ListBundlesAsync(cancellationToken).ConfigureAwait(false)).Rejected.Select(bundle => bundle.Info)];

    public async Task<IReadOnlyList<string>> PruneAsync(CancellationToken cancellationToken = default)
    {
        var latest = await GetLatestAsync(cancellationToken).ConfigureAwait(false);
        var (published, rejected) = await ListBundlesAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var deleted = new List<string>();
        foreach (var (bundles, label) in new[] { (published, ""), (rejected, RejectedPrefix) })
        {
            var keep = bundles.Where(bundle => bundle.Info.IsComplete).Take(_retentionCount).Select(bundle => bundle.Info.Version).ToHashSet(StringComparer.Ordinal);
            if (label.Length == 0 && latest is not null)
            {
                keep.Add(latest.Version);
            }
            foreach (var bundle in bundles)
            {
                var expired = bundle.Info.IsComplete
                    ? !keep.Contains(bundle.Info.Version)
                    : now - bundle.Info.LastModified >= _abandonedUploadAge;
                if (expired)
                {
                    await DeleteBundleAsync(bundle, cancellationToken).ConfigureAwait(false);
                    deleted.Add(label + bundle.Info.Version);
                }
            }
        }
        return deleted;
    }

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

    /// <summary>Uploads the bundle under <paramref name="prefix"/>, manifest last; on failure removes what it created.</summary>
    private async Task<List<BlobClient>> UploadAsync(LocalBundle bundle, string prefix, string version, IProgress<BundleUploadProgress>? progress, CancellationToken cancellationToken)
    {
        var created = new List<BlobClient>();
        var uploadId = Guid.NewGuid().ToString("N");
        foreach (var file in bundle.Files)
        {
            var blob = _container.GetBlobClient(prefix + file.RelativePath);
            var metadata = new Dictionary<string, string> { [Sha256MetadataKey] = file.Sha256, [UploadIdMetadataKey] = uploadId };
            if (file.RelativePath == ManifestFileName)
            {
                metadata[CompletedAtMetadataKey] = _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
            }
            var options = new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                Metadata = metadata,
                HttpHeaders = new BlobHttpHeaders { ContentType = ContentTypeOf(file.RelativePath) },
            };
            try
            {
                await blob.UploadAsync(file.FullPath, options, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException error) when (error.Status == 409)
            {
                // A retry of a write whose first attempt landed finds this upload's own blob.
                if (!await WrittenByAsync(blob, uploadId, cancellationToken).ConfigureAwait(false))
                {
                    var cleanup = await DeleteBestEffortAsync(created).ConfigureAwait(false);
                    throw new ModelStorageException(
                        $"Version '{version}' already exists in container '{ContainerName}' (blob '{blob.Name}'); versions are never overwritten. {cleanup}", error);
                }
            }
            catch (Exception error) when (error is RequestFailedException or AggregateException or IOException or OperationCanceledException)
            {
                var cleanup = await DeleteBestEffortAsync(created).ConfigureAwait(false);
                if (error is OperationCanceledException)
                {
                    throw;
                }
                throw new ModelStorageException(
                    $"Uploading '{file.RelativePath}' of version '{version}' to container '{ContainerName}' under '{prefix}' failed; {LatestBlobName} was not changed. {cleanup} Cause: {error.Message}",
                    error);
            }
            created.Add(blob);
            progress?.Report(new BundleUploadProgress(version, file.RelativePath, created.Count, bundle.Files.Count));
        }
        return created;
    }

    private static async Task<bool> WrittenByAsync(BlobClient blob, string uploadId, CancellationToken cancellationToken)
    {
        try
        {
            var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            return properties.Metadata.TryGetValue(UploadIdMetadataKey, out var writer) && writer == uploadId;
        }
        catch (Exception error) when (error is RequestFailedException or AggregateException)
        {
            return false;
        }
    }

    /// <summary>Deletes blobs this publisher created; says what it could not delete, for the error message.</summary>
    private async Task<string> DeleteBestEffortAsync(List<BlobClient> created)
    {
        if (created.Count == 0)
        {
            return "No files had been uploaded.";
        }
        var left = 0;
        Exception? lastError = null;
        foreach (var blob in created)
        {
            try
            {
                await blob.DeleteIfExistsAsync().ConfigureAwait(false);
            }
            catch (Exception error) when (error is RequestFailedException or AggregateException)
            {
                left++;
                lastError = error;
            }
        }
        return left == 0
            ? $"The {created.Count} uploaded file(s) were removed."
            : $"{left} of {created.Count} uploaded file(s) could not be removed ({lastError!.Message}); as an incomplete version they are never downloaded, and pruning removes them after {_abandonedUploadAge}.";
    }

    private async Task DeleteBundleAsync(StoredBundleBlobs bundle, CancellationToken cancellationToken)
    {
        // The manifest goes first so the version reads as incomplete, never as complete with files missing.
        foreach (var name in bundle.BlobNames.OrderBy(name => name.EndsWith("/" + ManifestFileName, StringComparison.Ordinal) ? 0 : 1))
        {
            await _container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(List<StoredBundleBlobs> Published, List<StoredBundleBlobs> Rejected)> ListBundlesAsync(CancellationToken cancellationToken)
    {
        var published = new Dictionary<string, List<BlobItem>>(StringComparer.Ordinal);
        var rejected = new Dictionary<string, List<BlobItem>>(StringComparer.Ordinal);
        try
        {
            await foreach (var blob in _container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata }, cancellationToken).ConfigureAwait(false))
            {
                var (groups, rest) = blob.Name.StartsWith(RejectedPrefix, StringComparison.Ordinal)
                    ? (rejected, blob.Name[RejectedPrefix.Length..])
                    : (published, blob.Name);
                var slash = rest.IndexOf('/');
                if (slash > 0 && !IsDirectoryMarker(blob))
                {
                    var version = rest[..slash];
                    if (!groups.TryGetValue(version, out var blobs))
                    {
                        groups[version] = blobs = [];
                    }
                    blobs.Add(blob);
                }
            }
        }
        catch (RequestFailedException error) when (error.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            return ([], []);
        }
        return (Describe(published, ""), Describe(rejected, RejectedPrefix));
    }

    private static List<StoredBundleBlobs> Describe(Dictionary<string, List<BlobItem>> groups, string root) =>
        [.. groups
            .Select(group =>
            {
                var manifest = group.Value.FirstOrDefault(blob => blob.Name == $"{root}{group.Key}/{ManifestFileName}");
                var info = new StoredModelVersion(
                    group.Key,
                    IsComplete: manifest is not null,
                    CreatedOn: (manifest is null ? null : CompletedAt(manifest)) ?? group.Value.Min(blob => blob.Properties.CreatedOn) ?? DateTimeOffset.MinValue,
                    LastModified: group.Value.Max(blob => blob.Properties.LastModified) ?? DateTimeOffset.MinValue,
                    FileCount: group.Value.Count,
                    Bytes: group.Value.Sum(blob => blob.Properties.ContentLength ?? 0));
                return new StoredBundleBlobs(info, [.. group.Value.Select(blob => blob.Name)]);
            })
            .OrderByDescending(bundle => bundle.Info.CreatedOn)
            .ThenByDescending(bundle => bundle.Info.Version, StringComparer.Ordinal)];

    /// <summary>A hierarchical-namespace (Data Lake) account lists folders as empty blobs marked hdi_isfolder.</summary>
    internal static bool IsDirectoryMarker(BlobItem blob) =>
        blob.Metadata is { } metadata && metadata.TryGetValue("hdi_isfolder", out var isFolder) && string.Equals(isFolder, "true", StringComparison.OrdinalIgnoreCase);

    private static DateTimeOffset? CompletedAt(BlobItem manifest) =>
        manifest.Metadata.TryGetValue(CompletedAtMetadataKey, out var value)
        && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var completedAt)
            ? completedAt
            : manifest.Properties.CreatedOn;

    private async Task<(string Sha256, long Length)> DownloadFileAsync(BlobItem item, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = item.Properties.ETag } };
        using var download = (await _container.GetBlobClient(item.Name).DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false)).Value;
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long length = 0;
        int read;
        while ((read = await download.Content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            length += read;
        }
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), length);
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

    private static string ContentTypeOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".json" => "application/json",
        ".csv" => "text/csv",
        ".txt" or ".md" => "text/plain",
        _ => "application/octet-stream",
    };

    private sealed record LatestDocument(string? Version, DateTimeOffset PublishedAt, string? ManifestSha256);

    private sealed record StoredBundleBlobs(StoredModelVersion Info, IReadOnlyList<string> BlobNames);
}
