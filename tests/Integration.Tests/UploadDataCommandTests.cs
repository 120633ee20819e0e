using System.IO.Compression;
using Recommender.Model.Data;
using Recommender.Model.Data.Synthetic;
using Recommender.Model.Storage;
using Recommender.Training.Cli;
using Spectre.Console;

namespace Recommender.Integration.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class UploadDataCommandTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _container = $"data-{Guid.NewGuid():N}";

    public void Dispose() => _temp.Dispose();

    private (int ExitCode, string Output) Upload(string path)
    {
        var settings = new Dictionary<string, string?>
        {
            [StorageSettingNames.ConnectionString] = azurite.ConnectionString,
            [StorageSettingNames.DataContainer] = _container,
        };
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        var services = new TrainingCli.Services(new MovieLensDatasetLoader(), EvaluationModels.All, name => settings.GetValueOrDefault(name));
        var exitCode = TrainingCli.Run(["upload-data", "--data", path], new CliConsoles(console, console), services);
        return (exitCode, output.ToString());
    }

    private string Release(string name, int seed) =>
        new SyntheticMovieLensGenerator(new SyntheticDatasetOptions { Users = 50, Movies = 120, Ratings = 2_000, Seed = seed })
            .WriteTo(_temp.Combine(name)).Folder;

    [Fact]
    public async Task AReleaseReplacesThePreviousOneAndLoadsFromBlobsAsItDoesLocally()
    {
        var first = Release("first", seed: 1);
        var (firstExit, firstOutput) = Upload(first);
        Assert.True(firstExit == 0, firstOutput);

        var second = Release("second", seed: 2);
        var zip = _temp.Combine("second.zip");
        ZipFile.CreateFromDirectory(second, zip, CompressionLevel.Fastest, includeBaseDirectory: true);
        var (secondExit, secondOutput) = Upload(zip);

        Assert.True(secondExit == 0, secondOutput);
        var container = azurite.CreateServiceClient().GetBlobContainerClient(_container);
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }
        Assert.Equal([StorageOptions.DefaultDataPrefix + "second.zip"], names);
        using var source = await BlobDatasetSource.OpenAsync(container, StorageOptions.DefaultDataPrefix);
        var local = MovieLensReader.Load(second);
        var fromBlobs = MovieLensReader.Load(source);
        Assert.Equal(local.Interactions.Count, fromBlobs.Interactions.Count);
        Assert.Equal(local.Users.RawIds.ToArray(), fromBlobs.Users.RawIds.ToArray());
    }

    [Fact]
    public async Task ABrokenReleaseIsRefusedBeforeAnythingIsWritten()
    {
        var good = Release("good", seed: 3);
        Assert.Equal(0, Upload(good).ExitCode);
        var broken = Release("broken", seed: 4);
        var ratings = Path.Combine(broken, "ratings.csv");
        var lines = File.ReadAllLines(ratings);
        lines[3] = "1,2,abc,964982703";
        File.WriteAllLines(ratings, lines);

        var (exitCode, output) = Upload(broken);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("ratings.csv:4", output, StringComparison.Ordinal);
        var container = azurite.CreateServiceClient().GetBlobContainerClient(_container);
        using var source = await BlobDatasetSource.OpenAsync(container, StorageOptions.DefaultDataPrefix);
        Assert.Equal(MovieLensReader.Load(good).Interactions.Count, MovieLensReader.Load(source).Interactions.Count);
    }
}
