using Azure;

namespace Recommender.Model.Storage;

/// <summary>What latest.json says, and the ETag it had when read (the condition for replacing it).</summary>
public sealed record LatestModel(string Version, DateTimeOffset PublishedAt, string ManifestSha256, ETag ETag);

/// <summary>The outcome of a publish: latest.json now names <see cref="Latest"/>.</summary>
/// <param name="PrunedVersions">Versions pruning deleted after the publish.</param>
/// <param name="PruneError">Why pruning failed, when it did; the publish itself succeeded.</param>
public sealed record PublishedModel(LatestModel Latest, int FileCount, long Bytes, IReadOnlyList<string> PrunedVersions, string? PruneError);

/// <summary>A bundle stored under <see cref="Prefix"/> of <see cref="Container"/>.</summary>
/// <param name="PrunedVersions">Versions pruning deleted afterwards.</param>
/// <param name="PruneError">Why pruning failed, when it did; the bundle itself was stored.</param>
public sealed record StoredBundle(string Version, string Container, string Prefix, int FileCount, long Bytes, IReadOnlyList<string> PrunedVersions, string? PruneError);

/// <summary>A version downloaded into <see cref="Folder"/>, every file checked against the SHA-256 recorded at upload.</summary>
public sealed record DownloadedModel(string Version, string Folder, string ManifestSha256, int FileCount, long Bytes);

/// <summary>A version folder in the models container.</summary>
/// <param name="IsComplete">manifest.json (uploaded last) is there; an incomplete version is an upload in progress or abandoned.</param>
/// <param name="CreatedOn">When the upload completed (manifest.json's upload; for an incomplete version, its first blob's creation).</param>
/// <param name="LastModified">The newest blob's last change.</param>
public sealed record StoredModelVersion(string Version, bool IsComplete, DateTimeOffset CreatedOn, DateTimeOffset LastModified, int FileCount, long Bytes);

/// <summary>Reported after each file of a bundle is uploaded.</summary>
public sealed record BundleUploadProgress(string Version, string File, int FilesUploaded, int FileCount);
