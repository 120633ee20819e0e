using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Recommender.Model.Storage;

/// <summary>
/// Uploads a local bundle under a prefix of the models container: each file with If-None-Match: * (a version is never
/// overwritten) and its "sha256" and "uploadid" metadata, manifest.json last so that its presence marks a complete
/// upload. What it created is removed again when an upload fails.
/// </summary>
internal sealed class BundleUploader(BlobContainerClient container, TimeProvider time, TimeSpan abandonedUploadAge)
{
    private string ContainerName => container.Name;

    /// <summary>Uploads the bundle under <paramref name="prefix"/>, manifest last; on failure removes what it created.</summary>
    public async Task<List<BlobClient>> UploadAsync(LocalBundle bundle, string prefix, string version, IProgress<BundleUploadProgress>? progress, CancellationToken cancellationToken)
    {
        var created = new List<BlobClient>();
        var uploadId = Guid.NewGuid().ToString("N");
        foreach (var file in bundle.Files)
        {
            var blob = container.GetBlobClient(prefix + file.RelativePath);
            var metadata = new Dictionary<string, string> { [ModelRepository.Sha256MetadataKey] = file.Sha256, [ModelRepository.UploadIdMetadataKey] = uploadId };
            if (file.RelativePath == ModelRepository.ManifestFileName)
            {
                metadata[ModelRepository.CompletedAtMetadataKey] = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
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
                    $"Uploading '{file.RelativePath}' of version '{version}' to container '{ContainerName}' under '{prefix}' failed; {ModelRepository.LatestBlobName} was not changed. {cleanup} Cause: {error.Message}",
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
            return properties.Metadata.TryGetValue(ModelRepository.UploadIdMetadataKey, out var writer) && writer == uploadId;
        }
        catch (Exception error) when (error is RequestFailedException or AggregateException)
        {
            return false;
        }
    }

    /// <summary>Deletes blobs this publisher created; says what it could not delete, for the error message.</summary>
    public async Task<string> DeleteBestEffortAsync(List<BlobClient> created)
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
            : $"{left} of {created.Count} uploaded file(s) could not be removed ({lastError!.Message}); as an incomplete version they are never downloaded, and pruning removes them after {abandonedUploadAge}.";
    }

    private static string ContentTypeOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".json" => "application/json",
        ".csv" => "text/csv",
        ".txt" or ".md" => "text/plain",
        _ => "application/octet-stream",
    };
}
