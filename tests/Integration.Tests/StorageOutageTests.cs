using Recommender.Model.Storage;

namespace Recommender.Integration.Tests;

/// <summary>Azurite goes away in the middle of a publish, then comes back with the same data.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class StorageOutageTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task StorageStoppedMidPublish_LatestStillNamesThePreviousVersion_AndAPublishAfterRestartSucceeds()
    {
        var container = azurite.UniqueContainer("models");
        var repository = new ModelRepository(container, retentionCount: 5);
        var previous = (await repository.PublishAsync(TestBundle.Create(_temp.Path, "v1"), "v1", replacing: null)).Latest;
        var stopAfterFirstFile = new InlineProgress<BundleUploadProgress>(step =>
        {
            if (step.FilesUploaded == 1)
            {
                azurite.Stop();
            }
        });

        ModelStorageException failure;
        try
        {
            failure = await Assert.ThrowsAsync<ModelStorageException>(
                () => repository.PublishAsync(TestBundle.Create(_temp.Path, "v2"), "v2", previous, stopAfterFirstFile));
        }
        finally
        {
            if (!azurite.IsRunning)
            {
                await azurite.StartAsync();
            }
        }

        Assert.Contains("'v2'", failure.Message);
        Assert.Contains("latest.json was not changed", failure.Message);
        Assert.Equal(previous, await repository.GetLatestAsync());
        var versions = await repository.ListVersionsAsync();
        Assert.True(Assert.Single(versions, version => version.Version == "v1").IsComplete);
        Assert.False(Assert.Single(versions, version => version.Version == "v2").IsComplete);
        await Assert.ThrowsAsync<ModelStorageException>(() => repository.DownloadAsync("v2", _temp.Combine("v2-download")));

        var retried = await repository.PublishAsync(TestBundle.Create(_temp.Path, "v3"), "v3", previous);

        Assert.Equal("v3", (await repository.GetLatestAsync())!.Version);
        Assert.Equal(retried.Latest.ETag, await repository.GetLatestETagAsync());
        var downloaded = await repository.DownloadAsync("v3", _temp.Combine("v3-download"));
        Assert.Equal(retried.Latest.ManifestSha256, downloaded.ManifestSha256);
    }
}
