using System.IO.Compression;
using Azure.Storage.Blobs;
using Recommender.Model.Data;
using Recommender.Model.Data.Synthetic;
using Recommender.Model.Storage;

namespace Recommender.Integration.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class BlobDatasetSourceTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly SyntheticDatasetOptions SmallRelease = new() { Users = 60, Movies = 300, Ratings = 3_000, Seed = 7 };

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string GenerateRelease() => new SyntheticMovieLensGenerator(SmallRelease).WriteTo(_temp.Combine("ml-synthetic")).Folder;

    private static async Task<BlobContainerClient> CreatedAsync(BlobContainerClient container)
    {
        await container.CreateAsync();
        return container;
    }

    [Fact]
    public async Task LooseFiles_LoadLikeTheLocalFolder()
    {
        var folder = GenerateRelease();
        var container = await CreatedAsync(azurite.UniqueContainer("data"));
        foreach (var path in Directory.EnumerateFiles(folder))
        {
            await container.UploadBlobAsync("movielens/ml-synthetic/" + Path.GetFileName(path), BinaryData.FromBytes(await File.ReadAllBytesAsync(path)));
        }
        await container.UploadBlobAsync("movielens/ml-other/ratings.csv", BinaryData.FromString("not part of this release"));

        using var source = await BlobDatasetSource.OpenAsync(container, "movielens/ml-synthetic");
        var fromBlobs = MovieLensReader.Load(source);
        var local = MovieLensReader.Load(folder);

        Assert.False(source.IsZip);
        Assert.Equal(["movies.csv", "ratings.csv"], source.Files);
        Assert.Equal("ml-synthetic", fromBlobs.Name);
        Assert.Equal(local.Fingerprint, fromBlobs.Fingerprint);
        Assert.Equal(SmallRelease.Ratings, fromBlobs.Interactions.Count);
        Assert.Equal(local.Movies.Count, fromBlobs.Movies.Count);
    }

    [Fact]
    public async Task ReleaseZip_LoadsLikeTheLocalFolder()
    {
        var folder = GenerateRelease();
        var zipPath = _temp.Combine("ml-synthetic.zip");
        ZipFile.CreateFromDirectory(folder, zipPath, CompressionLevel.Fastest, includeBaseDirectory: true);
        var container = await CreatedAsync(azurite.UniqueContainer("data"));
        await container.GetBlobClient("movielens/ml-synthetic.zip").UploadAsync(zipPath);

        using var source = await BlobDatasetSource.OpenAsync(container, "movielens/");
        var fromZip = MovieLensReader.Load(source);

        Assert.True(source.IsZip);
        Assert.Equal(["movies.csv", "ratings.csv"], source.Files);
        Assert.Equal("ml-synthetic", fromZip.Name);
        Assert.Equal(MovieLensReader.Load(folder).Fingerprint, fromZip.Fingerprint);
    }

    [Fact]
    public async Task EmptyPrefix_FailsNamingContainerAndPrefix()
    {
        var container = await CreatedAsync(azurite.UniqueContainer("data"));
        await container.UploadBlobAsync("elsewhere/ratings.csv", BinaryData.FromString("userId,movieId,rating,timestamp\n"));

        var error = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => BlobDatasetSource.OpenAsync(container, "movielens/"));

        Assert.Contains($"container '{container.Name}'", error.Message);
        Assert.Contains("prefix 'movielens/'", error.Message);
    }

    [Fact]
    public async Task ReleaseInASubfolder_FailsSuggestingThePrefix()
    {
        var container = await CreatedAsync(azurite.UniqueContainer("data"));
        await container.UploadBlobAsync("movielens/ml-latest-small/ratings.csv", BinaryData.FromString("userId,movieId,rating,timestamp\n"));

        var error = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => BlobDatasetSource.OpenAsync(container, "movielens/"));

        Assert.Contains("ml-latest-small/", error.Message);
        Assert.Contains(StorageSettingNames.DataPrefix, error.Message);
    }

    [Fact]
    public async Task MissingContainer_FailsNamingIt()
    {
        var container = azurite.UniqueContainer("data");

        var error = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => BlobDatasetSource.OpenAsync(container, "movielens/"));

        Assert.Contains($"container '{container.Name}'", error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public async Task ZipBesideOtherFiles_IsAmbiguous()
    {
        var container = await CreatedAsync(azurite.UniqueContainer("data"));
        await container.UploadBlobAsync("movielens/ml-latest-small.zip", BinaryData.FromString("zip"));
        await container.UploadBlobAsync("movielens/ratings.csv", BinaryData.FromString("userId,movieId,rating,timestamp\n"));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => BlobDatasetSource.OpenAsync(container, "movielens/"));

        Assert.Contains("'ml-latest-small.zip'", error.Message);
        Assert.Contains("'ratings.csv'", error.Message);
    }

    [Fact]
    public async Task FileReplacedAfterListing_FailsInsteadOfMixingVersions()
    {
        var container = await CreatedAsync(azurite.UniqueContainer("data"));
        await container.UploadBlobAsync("movielens/ratings.csv", BinaryData.FromString("userId,movieId,rating,timestamp\n1,1,4.0,1\n"));
        using var source = await BlobDatasetSource.OpenAsync(container, "movielens/");

        await container.GetBlobClient("movielens/ratings.csv").UploadAsync(BinaryData.FromString("userId,movieId,rating,timestamp\n2,2,3.0,2\n"), overwrite: true);

        var error = Assert.Throws<IOException>(() => source.Open("ratings.csv"));
        Assert.Contains("movielens/ratings.csv", error.Message);
    }

    [Fact]
    public async Task DataLakeFolderMarkers_AreNotReleaseFiles()
    {
        var container = await CreatedAsync(azurite.UniqueContainer("data"));
        await container.UploadBlobAsync("movielens/ratings.csv", BinaryData.FromString("userId,movieId,rating,timestamp\n1,1,4.0,1\n"));
        await container.GetBlobClient("movielens/extras").UploadAsync(BinaryData.Empty, new Azure.Storage.Blobs.Models.BlobUploadOptions
        {
            Metadata = new Dictionary<string, string> { ["hdi_isfolder"] = "true" },
        });

        using var source = await BlobDatasetSource.OpenAsync(container, "movielens/");

        Assert.Equal(["ratings.csv"], source.Files);
    }
}
