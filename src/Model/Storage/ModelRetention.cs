using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Recommender.Model.Storage;

/// <summary>
/// Lists the versions in <see cref="ModelRepository"/>'s layout (published and <c>rejected/</c>, newest first) and
/// prunes them: complete versions beyond the retention count go, never the one latest.json names, and so do
/// incomplete uploads untouched for the abandoned-upload age (younger ones may be uploads in progress).
/// </summary>
internal sealed class ModelRetention(BlobContainerClient container, int retentionCount, TimeSpan abandonedUploadAge, TimeProvider time)
{
    /// <summary>Deletes complete versions beyond the retention count (never <paramref name="latest"/>), and abandoned uploads.</summary>
    public async Task<IReadOnlyList<string>> PruneAsync(LatestModel? latest, CancellationToken cancellationToken)
    {
        var (published, rejected) = await ListBundlesAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var deleted = new List<string>();
        foreach (var (bundles, label) in new[] { (published, ""), (rejected, ModelRepository.RejectedPrefix) })
        {
            var keep = bundles.Where(bundle => bundle.Info.IsComplete).Take(retentionCount).Select(bundle => bundle.Info.Version).ToHashSet(StringComparer.Ordinal);
            if (label.Length == 0 && latest is not null)
            {
                keep.Add(latest.Version);
            }
            foreach (var bundle in bundles)
            {
                var expired = bundle.Info.IsComplete
                    ? !keep.Contains(bundle.Info.Version)
                    : now - bundle.Info.LastModified >= abandonedUploadAge;
                if (expired)
                {
                    await DeleteBundleAsync(bundle, cancellationToken).ConfigureAwait(false);
                    deleted.Add(label + bundle.Info.Version);
                }
            }
        }
        return deleted;
    }

    public async Task<(List<StoredBundleBlobs> Published, List<StoredBundleBlobs> Rejected)> ListBundlesAsync(CancellationToken cancellationToken)
    {
        var published = new Dictionary<string, List<BlobItem>>(StringComparer.Ordinal);
        var rejected = new Dictionary<string, List<BlobItem>>(StringComparer.Ordinal);
        try
        {
            await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata }, cancellationToken).ConfigureAwait(false))
            {
                var (groups, rest) = blob.Name.StartsWith(ModelRepository.RejectedPrefix, StringComparison.Ordinal)
                    ? (rejected, blob.Name[ModelRepository.RejectedPrefix.Length..])
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
        return (Describe(published, ""), Describe(rejected, ModelRepository.RejectedPrefix));
    }

    private static List<StoredBundleBlobs> Describe(Dictionary<string, List<BlobItem>> groups, string root) =>
        [.. groups
            .Select(group =>
            {
                var manifest = group.Value.FirstOrDefault(blob => blob.Name == $"{root}{group.Key}/{ModelRepository.ManifestFileName}");
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
        manifest.Metadata.TryGetValue(ModelRepository.CompletedAtMetadataKey, out var value)
        && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var completedAt)
            ? completedAt
            : manifest.Properties.CreatedOn;

    private async Task DeleteBundleAsync(StoredBundleBlobs bundle, CancellationToken cancellationToken)
    {
        // The manifest goes first so the version reads as incomplete, never as complete with files missing.
        foreach (var name in bundle.BlobNames.OrderBy(name => name.EndsWith("/" + ModelRepository.ManifestFileName, StringComparison.Ordinal) ? 0 : 1))
        {
            await container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    internal sealed record StoredBundleBlobs(StoredModelVersion Info, IReadOnlyList<string> BlobNames);
}
