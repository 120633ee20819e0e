using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Recommender.Model.Data;

namespace Recommender.Model.Storage;

/// <summary>
/// The files of one MovieLens release in Blob Storage: either the blobs directly under a prefix (read as streams,
/// each pinned to the ETag it had when the release was listed) or a single release .zip under the prefix
/// (downloaded to a temporary file that is deleted on <see cref="Dispose"/>, then read through <see cref="ZipDatasetSource"/>).
/// </summary>
public sealed class BlobDatasetSource : IDatasetSource, IDisposable
{
    private const int ReadBufferBytes = 8 * 1024 * 1024;

    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly IReadOnlyDictionary<string, ETag> _blobETags;
    private readonly ZipDatasetSource? _zip;

    private BlobDatasetSource(BlobContainerClient container, string prefix, string name, IReadOnlyDictionary<string, ETag> blobETags, ZipDatasetSource? zip)
    {
        _container = container;
        _prefix = prefix;
        _blobETags = blobETags;
        _zip = zip;
        Name = name;
        Files = zip?.Files ?? [.. blobETags.Keys.Order(StringComparer.Ordinal)];
    }

    public string Name { get; }
    public IReadOnlyList<string> Files { get; }

    /// <summary>True when the release is a .zip blob rather than loose files.</summary>
    public bool IsZip => _zip is not null;

    /// <summary>"container 'data', prefix 'movielens/'", for messages.</summary>
    public string Location => Describe(_container, _prefix);

    /// <summary>Lists the release under <paramref name="prefix"/> ("folder/" or "" for the container root).</summary>
    /// <exception cref="DirectoryNotFoundException">The container does not exist or holds no release files under the prefix (the message names both).</exception>
    /// <exception cref="InvalidDataException">The prefix holds a .zip together with other files, or the .zip is unreadable.</exception>
    public static async Task<BlobDatasetSource> OpenAsync(BlobContainerClient container, string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        prefix = StorageOptions.NormalizePrefix(prefix);
        var location = Describe(container, prefix);

        var files = new Dictionary<string, ETag>(StringComparer.Ordinal);
        var subfolders = new SortedSet<string>(StringComparer.Ordinal);
        try
        {
            await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix, Traits = BlobTraits.Metadata }, cancellationToken).ConfigureAwait(false))
            {
                var relative = blob.Name[prefix.Length..];
                var slash = relative.IndexOf('/');
                if (slash >= 0)
                {
                    subfolders.Add(relative[..(slash + 1)]);
                }
                else if (relative.Length > 0 && !ModelRetention.IsDirectoryMarker(blob))
                {
                    files.Add(relative, blob.Properties.ETag ?? default);
                }
            }
        }
        catch (RequestFailedException error) when (error.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            throw new DirectoryNotFoundException($"No MovieLens release at {location}: the container does not exist.", error);
        }

        if (files.Count == 0)
        {
            var hint = subfolders.Count > 0
                ? $" It has subfolders ({string.Join(", ", subfolders.Take(5))}): point the prefix ({StorageSettingNames.DataPrefix}) at one of them."
                : " Upload the release files (ratings.csv, movies.csv, ...) or a release .zip there.";
            throw new DirectoryNotFoundException($"No MovieLens release at {location}: no blobs directly under the prefix.{hint}");
        }

        var zips = files.Keys.Where(name => name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)).ToList();
        if (zips.Count == 0)
        {
            return new BlobDatasetSource(container, prefix, FolderName(container, prefix), files, zip: null);
        }
        if (files.Count > 1)
        {
            throw new InvalidDataException(
                $"The MovieLens release at {location} is ambiguous: it holds {string.Join(", ", zips.Select(zip => $"'{zip}'"))} and other files " +
                $"({string.Join(", ", files.Keys.Except(zips).Order(StringComparer.Ordinal).Take(5).Select(file => $"'{file}'"))}). " +
                "Keep either the loose release files or a single release .zip under the prefix.");
        }
        var zip = await DownloadZipAsync(container.GetBlobClient(prefix + zips[0]), files[zips[0]], cancellationToken).ConfigureAwait(false);
        return new BlobDatasetSource(container, prefix, Path.GetFileNameWithoutExtension(zips[0]), files, zip);
    }

    /// <exception cref="FileNotFoundException"><paramref name="file"/> is not one of <see cref="Files"/>.</exception>
    /// <exception cref="IOException">The blob changed or disappeared since the release was listed.</exception>
    public Stream Open(string file)
    {
        if (_zip is not null)
        {
            return _zip.Open(file);
        }
        if (!_blobETags.TryGetValue(file, out var etag))
        {
            throw new FileNotFoundException($"'{file}' is not a file of the MovieLens release at {Location}.", file);
        }
        var blob = _container.GetBlobClient(_prefix + file);
        try
        {
            return blob.OpenRead(new BlobOpenReadOptions(allowModifications: false)
            {
                BufferSize = ReadBufferBytes,
                Conditions = new BlobRequestConditions { IfMatch = etag },
            });
        }
        catch (RequestFailedException error) when (error.Status is 404 or 412)
        {
            throw new IOException($"Blob '{blob.Name}' of the MovieLens release at {Location} changed or was deleted after the release was listed; load it again.", error);
        }
    }

    public void Dispose() => _zip?.Dispose();

    private static async Task<ZipDatasetSource> DownloadZipAsync(BlobClient blob, ETag etag, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"recommender-release-{Guid.NewGuid():N}.zip");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await blob.DownloadToAsync(file, new BlobDownloadToOptions { Conditions = new BlobRequestConditions { IfMatch = etag } }, cancellationToken).ConfigureAwait(false);
            file.Position = 0;
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        // On failure ZipDatasetSource disposes the stream, which deletes the temporary file.
        return new ZipDatasetSource(file, $"{blob.BlobContainerName}/{blob.Name}", leaveOpen: false);
    }

    private static string FolderName(BlobContainerClient container, string prefix) =>
        prefix.Length == 0 ? container.Name : prefix.TrimEnd('/').Split('/')[^1];

    private static string Describe(BlobContainerClient container, string prefix) => $"container '{container.Name}', prefix '{prefix}'";
}
