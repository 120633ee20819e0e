using Recommender.Model.Data;
using Recommender.Model.Storage;

namespace Recommender.Integration.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class RecommenderStorageTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task FromSettings_WiresEveryServiceToItsContainer()
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var settings = new Dictionary<string, string>
        {
            [StorageSettingNames.ConnectionString] = azurite.ConnectionString,
            [StorageSettingNames.DataContainer] = "data-" + suffix,
            [StorageSettingNames.DataPrefix] = "releases/small",
            [StorageSettingNames.ModelsContainer] = "models-" + suffix,
            [StorageSettingNames.RunsContainer] = "runs-" + suffix,
            [StorageSettingNames.ModelRetentionCount] = "1",
        };
        var storage = RecommenderStorage.Create(StorageOptions.FromSettings(settings.GetValueOrDefault), AzuriteFixture.FastFailingClientOptions());
        var data = storage.Service.GetBlobContainerClient("data-" + suffix);
        await data.CreateAsync();
        await data.UploadBlobAsync("releases/small/ratings.csv", BinaryData.FromString("userId,movieId,rating,timestamp\n1,10,4.0,100\n2,10,3.5,101\n"));

        using (var source = await storage.OpenDatasetAsync())
        {
            Assert.Equal(2, MovieLensReader.Load(source).Interactions.Count);
        }
        var first = await storage.Models.PublishAsync(TestBundle.Create(_temp.Path, "v1"), "v1", replacing: null);
        var second = await storage.Models.PublishAsync(TestBundle.Create(_temp.Path, "v2"), "v2", first.Latest);
        await storage.Runs.SaveAsync(RunRecord.Start(RunTrigger.Cli, DateTimeOffset.UtcNow));
        await using (var lease = (await storage.RetrainLock.TryAcquireAsync("test", TimeSpan.FromSeconds(15))).Lease)
        {
            Assert.NotNull(lease);
        }

        Assert.Equal(["v1"], second.PrunedVersions);
        var models = storage.Service.GetBlobContainerClient("models-" + suffix);
        Assert.True(await models.GetBlobClient("v2/manifest.json").ExistsAsync());
        var runs = storage.Service.GetBlobContainerClient("runs-" + suffix);
        Assert.True(await runs.GetBlobClient(RetrainLock.LockBlobName).ExistsAsync());
        Assert.Single(await storage.Runs.ListRecentAsync(5));
    }
}
