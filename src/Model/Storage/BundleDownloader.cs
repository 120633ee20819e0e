using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Recommender.Model.Storage;

/// <summary>
/// Downloads one complete version of <see cref="ModelRepository"/>'s layout into a local folder: every blob under
/// <c>&lt;version&gt;/</c>, each read under If-Match on its listed ETag and hashed as it streams, checked against its
/// "sha256" metadata, into a staging folder renamed into place when every file is there.
/// </summary>
internal sealed class BundleDownloader(BlobContainerClient container)
{
    private string ContainerName => container.Name;

    public async Task<DownloadedModel> DownloadAsync(string version, string localFolder, CancellationToken cancellationToken)
    {
        var prefix = version + "/";
        var blobs = new List<BlobItem>();
        try
        {
            await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix, Traits = BlobTraits.Metadata }, cancellationToken).ConfigureAwait(false))
            {
                if (!ModelRetention.IsDirectoryMarker(blob))
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
        if (!blobs.Any(blob => blob.Name == prefix + ModelRepository.ManifestFileName))
        {
            throw new ModelStorageException($"Version '{version}' in container '{ContainerName}' is incomplete (no {ModelRepository.ManifestFileName}): an upload in progress or one that failed.");
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
                if (blob.Metadata.TryGetValue(ModelRepository.Sha256MetadataKey, out var expected) && !string.Equals(expected, sha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ModelStorageException(
                        $"File '{relative}' of version '{version}' in container '{ContainerName}' does not match the SHA-256 recorded at upload (recorded {expected}, downloaded {sha256}).");
                }
                if (relative == ModelRepository.ManifestFileName)
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

    private async Task<(string Sha256, long Length)> DownloadFileAsync(BlobItem item, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = item.Properties.ETag } };
        using var download = (await container.GetBlobClient(item.Name).DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false)).Value;
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
}
