using System.ComponentModel;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Recommender.Model;
using Recommender.Model.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Recommender.Training.Cli;

/// <summary>
/// <c>upload-data</c>: checks a MovieLens release locally, then puts it where retraining reads it
/// (DATA_CONTAINER/DATA_PREFIX of the storage the environment names): the release's files, or the one .zip or
/// ratings file given. Blobs left under the prefix from an earlier release are deleted after the upload, so the
/// prefix holds exactly one release. A release that does not load is refused before anything is written.
/// </summary>
[Description("Check a MovieLens release and upload it to the data container retraining reads.")]
internal sealed class UploadDataCommand(IDatasetLoader datasets, Func<string, string?> appSettings, CliConsoles consoles)
    : AsyncCommand<UploadDataCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--data <PATH>", true)]
        [Description("MovieLens folder, release .zip or ratings file to upload.")]
        public required string Data { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var path = settings.Data;
        var dataset = datasets.Load(path, skipBadRows: false);
        consoles.Output.WriteLine($"Checked {dataset.Name}: {dataset.Users.Count:N0} users, {dataset.Items.Count:N0} movies, {dataset.Interactions.Count:N0} interactions");

        StorageOptions options;
        try
        {
            options = StorageOptions.FromSettings(appSettings);
        }
        catch (SettingException error)
        {
            throw new CommandFailedException(error.Message, error);
        }
        var files = Directory.Exists(path)
            ? Directory.GetFiles(path).Where(file => !Path.GetFileName(file).StartsWith('.')).Order(StringComparer.Ordinal).ToList()
            : [path];
        var container = BlobServiceClientFactory.Create(options).GetBlobContainerClient(options.DataContainer);
        try
        {
            await UploadAsync(container, options.DataPrefix, files, consoles.Output, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException error)
        {
            throw new CommandFailedException($"Upload to {options.DataContainer}/{options.DataPrefix} failed: {error.Message}", error);
        }
        return ExitCodes.Success;
    }

    private static async Task UploadAsync(
        BlobContainerClient container, string prefix, IReadOnlyList<string> files, IAnsiConsole console, CancellationToken cancellationToken)
    {
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var uploaded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var name = prefix + Path.GetFileName(file);
            await container.GetBlobClient(name).UploadAsync(file, overwrite: true, cancellationToken).ConfigureAwait(false);
            uploaded.Add(name);
            console.WriteLine($"  uploaded {container.Name}/{name} ({new FileInfo(file).Length:N0} bytes)");
        }
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).ConfigureAwait(false))
        {
            if (!uploaded.Contains(blob.Name) && !blob.Name[prefix.Length..].Contains('/', StringComparison.Ordinal))
            {
                await container.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
                console.WriteLine($"  deleted {container.Name}/{blob.Name} (not part of this release)");
            }
        }
    }
}
