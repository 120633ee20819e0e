using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Recommender.Model.Storage;

/// <summary>
/// A retraining run's training checkpoint, kept beside its run record so that a retried job execution (the same run
/// id) resumes where the stopped one was. The checkpoint is a folder of files, one subfolder per epoch, as the trainer
/// writes it locally; only the newest complete epoch is needed.
/// </summary>
public interface IRunCheckpointStore
{
    /// <summary>Uploads one epoch's checkpoint folder (a subfolder of the run's checkpoint folder), then deletes older epochs.</summary>
    Task UploadEpochAsync(string runId, string checkpointFolder, string epochFolder, CancellationToken cancellationToken = default);

    /// <summary>Downloads the newest complete epoch into <paramref name="checkpointFolder"/>; false when the run has none.</summary>
    Task<bool> DownloadLatestAsync(string runId, string checkpointFolder, CancellationToken cancellationToken = default);

    Task DeleteAsync(string runId, CancellationToken cancellationToken = default);
}

/// <summary>
/// <see cref="IRunCheckpointStore"/> as blobs <c>&lt;yyyy&gt;/&lt;MM&gt;/&lt;runId&gt;/checkpoint/&lt;path in the folder&gt;</c> in the
/// runs container. An epoch counts as complete when its <c>state.json</c>, uploaded last, is there.
/// </summary>
public sealed class RunCheckpointStore(BlobContainerClient runsContainer) : IRunCheckpointStore
{
    /// <summary>The file the trainer writes last in an epoch's folder.</summary>
    public const string CompletionFile = "state.json";

    public async Task UploadEpochAsync(string runId, string checkpointFolder, string epochFolder, CancellationToken cancellationToken = default)
    {
        var prefix = PrefixOf(runId);
        var epochPrefix = prefix + RelativeName(checkpointFolder, epochFolder) + "/";
        await runsContainer.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var files = Directory.GetFiles(epochFolder).OrderBy(path => Path.GetFileName(path) == CompletionFile).ToList();
        foreach (var file in files)
        {
            await runsContainer.GetBlobClient(epochPrefix + Path.GetFileName(file)).UploadAsync(file, overwrite: true, cancellationToken).ConfigureAwait(false);
        }
        var modelPrefix = epochPrefix[..epochPrefix.TrimEnd('/').LastIndexOf('/')] + "/";
        await foreach (var blob in runsContainer.GetBlobsAsync(new GetBlobsOptions { Prefix = modelPrefix }, cancellationToken).ConfigureAwait(false))
        {
            if (!blob.Name.StartsWith(epochPrefix, StringComparison.Ordinal))
            {
                await runsContainer.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<bool> DownloadLatestAsync(string runId, string checkpointFolder, CancellationToken cancellationToken = default)
    {
        var prefix = PrefixOf(runId);
        var blobs = new List<string>();
        try
        {
            await foreach (var blob in runsContainer.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).ConfigureAwait(false))
            {
                blobs.Add(blob.Name[prefix.Length..]);
            }
        }
        catch (RequestFailedException error) when (error.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            return false;
        }
        // Per model folder, the newest epoch folder whose completion file was uploaded.
        var complete = blobs
            .Where(name => Path.GetFileName(name) == CompletionFile)
            .Select(name => name[..name.LastIndexOf('/')])
            .GroupBy(epoch => epoch.Contains('/', StringComparison.Ordinal) ? epoch[..epoch.LastIndexOf('/')] : "", StringComparer.Ordinal)
            .Select(model => model.Max(StringComparer.Ordinal)!)
            .ToList();
        foreach (var epoch in complete)
        {
            foreach (var name in blobs.Where(name => name.StartsWith(epoch + "/", StringComparison.Ordinal)))
            {
                var local = Path.Combine(checkpointFolder, name.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(local)!);
                await runsContainer.GetBlobClient(prefix + name).DownloadToAsync(local, cancellationToken).ConfigureAwait(false);
            }
        }
        return complete.Count > 0;
    }

    public async Task DeleteAsync(string runId, CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var blob in runsContainer.GetBlobsAsync(new GetBlobsOptions { Prefix = PrefixOf(runId) }, cancellationToken).ConfigureAwait(false))
            {
                await runsContainer.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RequestFailedException error) when (error.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
        }
    }

    /// <summary>"2025/01/20250102-030405-1a2b3c4d/checkpoint/" beside the run's record.</summary>
    public static string PrefixOf(string runId) => RunRecordStore.BlobNameOf(runId)[..^".json".Length] + "/checkpoint/";

    private static string RelativeName(string folder, string path)
    {
        var relative = Path.GetRelativePath(folder, path);
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new ArgumentException($"'{path}' is not inside the checkpoint folder '{folder}'.", nameof(path));
        }
        return relative.Replace(Path.DirectorySeparatorChar, '/');
    }
}
