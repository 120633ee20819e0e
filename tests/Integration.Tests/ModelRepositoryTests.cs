using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Recommender.Model.Storage;

namespace Recommender.Integration.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class ModelRepositoryTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private (ModelRepository Repository, BlobContainerClient Container) NewRepository(int retention = 5, TimeSpan? abandonedUploadAge = null)
    {
        var container = azurite.UniqueContainer("models");
        return (new ModelRepository(container, retention, abandonedUploadAge), container);
    }

    private string Bundle(string version) => TestBundle.Create(_temp.Path, version);

    [Fact]
    public async Task NothingPublished_LatestIsNull()
    {
        var (repository, _) = NewRepository();

        Assert.Null(await repository.GetLatestAsync());
        Assert.Null(await repository.GetLatestETagAsync());
        Assert.Empty(await repository.ListVersionsAsync());
    }

    [Fact]
    public async Task Publish_WritesEveryFileThenLatestJson()
    {
        var (repository, container) = NewRepository();
        var bundle = Bundle("v1");
        var progress = new List<string>();

        var published = await repository.PublishAsync(bundle, "v1", replacing: null, new InlineProgress<BundleUploadProgress>(step => progress.Add(step.File)));

        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions()))
        {
            names.Add(blob.Name);
        }
        Assert.Equal(["latest.json", "v1/manifest.json", "v1/metadata/items.json", "v1/model.onnx"], names);
        Assert.Equal(["metadata/items.json", "model.onnx", "manifest.json"], progress);
        Assert.Equal((3, new DirectoryInfo(bundle).EnumerateFiles("*", SearchOption.AllDirectories).Sum(file => file.Length)), (published.FileCount, published.Bytes));

        using var latestJson = JsonDocument.Parse((await container.GetBlobClient("latest.json").DownloadContentAsync()).Value.Content);
        Assert.Equal("v1", latestJson.RootElement.GetProperty("version").GetString());
        var manifestSha256 = TestBundle.Sha256(File.ReadAllBytes(Path.Combine(bundle, "manifest.json")));
        Assert.Equal(manifestSha256, latestJson.RootElement.GetProperty("manifestSha256").GetString());
        Assert.True(latestJson.RootElement.TryGetProperty("publishedAt", out _));

        var latest = await repository.GetLatestAsync();
        Assert.Equal(published.Latest, latest);
        Assert.Equal(latest!.ETag, await repository.GetLatestETagAsync());
    }

    [Fact]
    public async Task Download_ReproducesTheBundle()
    {
        var (repository, _) = NewRepository();
        var bundle = Bundle("v1");
        var published = await repository.PublishAsync(bundle, "v1", replacing: null);
        var target = _temp.Combine("cache", "current");

        var downloaded = await repository.DownloadAsync("v1", target);

        Assert.Equal(TestBundle.ReadAll(bundle), TestBundle.ReadAll(target));
        Assert.Equal(published.Latest.ManifestSha256, downloaded.ManifestSha256);
        Assert.Equal((3, published.Bytes), (downloaded.FileCount, downloaded.Bytes));
        Assert.Equal(["current"], Directory.EnumerateDirectories(_temp.Combine("cache")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Download_ReplacesWhatTheFolderHeld()
    {
        var (repository, _) = NewRepository();
        var first = (await repository.PublishAsync(Bundle("v1"), "v1", replacing: null)).Latest;
        await repository.PublishAsync(Bundle("v2"), "v2", first);
        var target = _temp.Combine("current");
        await repository.DownloadAsync("v1", target);

        await repository.DownloadAsync("v2", target);

        Assert.Equal(TestBundle.ReadAll(Bundle("v2")), TestBundle.ReadAll(target));
    }

    [Fact]
    public async Task Download_SkipsDataLakeFolderMarkers()
    {
        var (repository, container) = NewRepository();
        var bundle = Bundle("v1");
        await repository.PublishAsync(bundle, "v1", replacing: null);
        await container.GetBlobClient("v1/metadata").UploadAsync(BinaryData.Empty, new BlobUploadOptions
        {
            Metadata = new Dictionary<string, string> { ["hdi_isfolder"] = "true" },
        });
        var target = _temp.Combine("current");

        await repository.DownloadAsync("v1", target);

        Assert.Equal(TestBundle.ReadAll(bundle), TestBundle.ReadAll(target));
        Assert.Equal(3, Assert.Single(await repository.ListVersionsAsync()).FileCount);
    }

    [Fact]
    public async Task Download_OfATamperedFile_FailsAndLeavesNoFolder()
    {
        var (repository, container) = NewRepository();
        await repository.PublishAsync(Bundle("v1"), "v1", replacing: null);
        var model = container.GetBlobClient("v1/model.onnx");
        var metadata = (await model.GetPropertiesAsync()).Value.Metadata;
        await model.UploadAsync(BinaryData.FromBytes(new byte[100]), new BlobUploadOptions { Metadata = metadata });
        var target = _temp.Combine("cache", "current");

        var error = await Assert.ThrowsAsync<ModelStorageException>(() => repository.DownloadAsync("v1", target));

        Assert.Contains("'model.onnx'", error.Message);
        Assert.Contains("SHA-256", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Combine("cache")));
    }

    [Fact]
    public async Task Download_OfAnUnknownOrIncompleteVersion_Fails()
    {
        var (repository, container) = NewRepository();
        await repository.PublishAsync(Bundle("v1"), "v1", replacing: null);
        await container.UploadBlobAsync("v2/model.onnx", BinaryData.FromString("partial"));

        var unknown = await Assert.ThrowsAsync<ModelVersionNotFoundException>(() => repository.DownloadAsync("v9", _temp.Combine("a")));
        var incomplete = await Assert.ThrowsAsync<ModelStorageException>(() => repository.DownloadAsync("v2", _temp.Combine("b")));

        Assert.Contains("'v9'", unknown.Message);
        Assert.Contains("incomplete", incomplete.Message);
        Assert.False(Directory.Exists(_temp.Combine("b")));
    }

    [Fact]
    public async Task FirstPublish_ExpectingNothing_FailsWhenSomethingWasPublished()
    {
        var (repository, container) = NewRepository();
        await repository.PublishAsync(Bundle("v1"), "v1", replacing: null);

        var error = await Assert.ThrowsAsync<ModelPublishConflictException>(() => repository.PublishAsync(Bundle("v2"), "v2", replacing: null));

        Assert.Equal(("v2", null, "v1"), (error.Version, error.ExpectedVersion, error.ActualVersion));
        Assert.Contains("'v1'", error.Message);
        Assert.Equal("v1", (await repository.GetLatestAsync())!.Version);
        Assert.False(await container.GetBlobClient("v2/manifest.json").ExistsAsync());
    }

    [Fact]
    public async Task ConcurrentPublishes_FromTheSameLatest_OneWinsTheOtherConflicts()
    {
        var (repository, container) = NewRepository();
        var start = (await repository.PublishAsync(Bundle("v1"), "v1", replacing: null)).Latest;
        var bundleA = Bundle("a");
        var bundleB = Bundle("b");

        var publishes = new[] { repository.PublishAsync(bundleA, "a", start), repository.PublishAsync(bundleB, "b", start) };
        await Task.WhenAll(publishes.Select(publish => publish.ContinueWith(_ => { }, TaskScheduler.Default)));

        var winners = publishes.Where(publish => publish.IsCompletedSuccessfully).Select(publish => publish.Result.Latest.Version).ToList();
        var conflicts = publishes.Where(publish => publish.IsFaulted).Select(publish => publish.Exception!.InnerException).OfType<ModelPublishConflictException>().ToList();
        var winner = Assert.Single(winners);
        var conflict = Assert.Single(conflicts);
        Assert.NotEqual(winner, conflict.Version);
        Assert.Equal("v1", conflict.ExpectedVersion);
        Assert.Equal(winner, (await repository.GetLatestAsync())!.Version);
        var versions = (await repository.ListVersionsAsync()).Select(version => version.Version).Order().ToList();
        Assert.Equal(new[] { "v1", winner }.Order(), versions);
        Assert.False(await container.GetBlobClient($"{conflict.Version}/model.onnx").ExistsAsync());
    }

    [Fact]
    public async Task LatestWriteWhoseResponseIsLost_IsRetried_AndCountsAsPublished()
    {
        var loseFirst = new LoseFirstResponsePolicy(request => request.Method == RequestMethod.Put && request.Uri.Path.EndsWith("/latest.json", StringComparison.Ordinal));
        var options = AzuriteFixture.FastFailingClientOptions();
        options.AddPolicy(loseFirst, HttpPipelinePosition.PerRetry);
        var container = new BlobServiceClient(azurite.ConnectionString, options).GetBlobContainerClient($"models-{Guid.NewGuid():N}");
        var repository = new ModelRepository(container, retentionCount: 5);

        var published = await repository.PublishAsync(Bundle("v1"), "v1", replacing: null);

        Assert.True(loseFirst.Lost);
        Assert.Equal(published.Latest, await repository.GetLatestAsync());
        Assert.True(await container.GetBlobClient("v1/model.onnx").ExistsAsync());
    }

    [Fact]
    public async Task FileUploadWhoseResponseIsLost_IsRetried_AndThePublishCompletes()
    {
        var loseFirst = new LoseFirstResponsePolicy(request => request.Method == RequestMethod.Put && request.Uri.Path.EndsWith("/v1/model.onnx", StringComparison.Ordinal));
        var options = AzuriteFixture.FastFailingClientOptions();
        options.AddPolicy(loseFirst, HttpPipelinePosition.PerRetry);
        var repository = new ModelRepository(new BlobServiceClient(azurite.ConnectionString, options).GetBlobContainerClient($"models-{Guid.NewGuid():N}"), retentionCount: 5);
        var bundle = Bundle("v1");

        await repository.PublishAsync(bundle, "v1", replacing: null);

        Assert.True(loseFirst.Lost);
        Assert.Equal("v1", (await repository.GetLatestAsync())!.Version);
        await repository.DownloadAsync("v1", _temp.Combine("v1"));
        Assert.Equal(TestBundle.ReadAll(bundle), TestBundle.ReadAll(_temp.Combine("v1")));
    }

    [Fact]
    public async Task ExistingVersion_IsNeverOverwritten()
    {
        var (repository, container) = NewRepository();
        var latest = (await repository.PublishAsync(Bundle("v1"), "v1", replacing: null)).Latest;
        var before = (await container.GetBlobClient("v1/model.onnx").GetPropertiesAsync()).Value.ETag;

        var error = await Assert.ThrowsAsync<ModelStorageException>(() => repository.PublishAsync(Bundle("v1-again"), "v1", latest));

        Assert.Contains("already exists", error.Message);
        Assert.Equal(before, (await container.GetBlobClient("v1/model.onnx").GetPropertiesAsync()).Value.ETag);
        Assert.Equal(latest.ETag, await repository.GetLatestETagAsync());
    }

    [Fact]
    public async Task Prune_KeepsTheNewestRetentionCount_InPublishOrder()
    {
        var (repository, _) = NewRepository(retention: 3);
        LatestModel? latest = null;
        var pruned = new List<string>();
        foreach (var version in new[] { "v5", "v3", "v9", "v1", "v7" })
        {
            var published = await repository.PublishAsync(Bundle(version), version, latest);
            Assert.Null(published.PruneError);
            pruned.AddRange(published.PrunedVersions);
            latest = published.Latest;
        }

        Assert.Equal(["v5", "v3"], pruned);
        Assert.Equal(["v7", "v1", "v9"], (await repository.ListVersionsAsync()).Select(version => version.Version));
        Assert.Equal("v7", (await repository.GetLatestAsync())!.Version);
    }

    [Fact]
    public async Task Prune_NeverDeletesTheVersionLatestNames()
    {
        var (repository, container) = NewRepository(retention: 3);
        var latest = (await repository.PublishAsync(Bundle("v1"), "v1", replacing: null)).Latest;
        latest = (await repository.PublishAsync(Bundle("v2"), "v2", latest)).Latest;
        latest = (await repository.PublishAsync(Bundle("v3"), "v3", latest)).Latest;
        await repository.PromoteAsync("v1", latest);

        var pruned = await new ModelRepository(container, retentionCount: 1).PruneAsync();

        Assert.Equal(["v2"], pruned);
        Assert.Equal(["v3", "v1"], (await repository.ListVersionsAsync()).Select(version => version.Version));
        Assert.Equal("v1", (await repository.GetLatestAsync())!.Version);
    }

    [Fact]
    public async Task Prune_KeepsUploadsInProgress_AndRemovesAbandonedOnes()
    {
        var (repository, container) = NewRepository(retention: 1);
        await container.CreateAsync();
        await container.UploadBlobAsync("v0-uploading/model.onnx", BinaryData.FromString("partial"));
        var latest = (await repository.PublishAsync(Bundle("v1"), "v1", replacing: null)).Latest;
        var published = await repository.PublishAsync(Bundle("v2"), "v2", latest);

        Assert.Equal(["v1"], published.PrunedVersions);
        var incomplete = Assert.Single(await repository.ListVersionsAsync(), version => !version.IsComplete);
        Assert.Equal("v0-uploading", incomplete.Version);

        var pruned = await new ModelRepository(container, retentionCount: 1, abandonedUploadAge: TimeSpan.Zero).PruneAsync();

        Assert.Equal(["v0-uploading"], pruned);
        Assert.Equal(["v2"], (await repository.ListVersionsAsync()).Select(version => version.Version));
    }

    [Fact]
    public async Task RejectedBundle_IsKeptApart_AndNotPublished()
    {
        var (repository, container) = NewRepository(retention: 2);
        var latest = (await repository.PublishAsync(Bundle("v1"), "v1", replacing: null)).Latest;

        var stored = await repository.StoreRejectedAsync(Bundle("v2"), "v2");
        await repository.StoreRejectedAsync(Bundle("v3"), "v3");
        var third = await repository.StoreRejectedAsync(Bundle("v4"), "v4");

        Assert.Equal(("rejected/v2/", 3), (stored.Prefix, stored.FileCount));
        Assert.Equal(["rejected/v2"], third.PrunedVersions);
        Assert.Equal(latest, await repository.GetLatestAsync());
        Assert.Equal(["v1"], (await repository.ListVersionsAsync()).Select(version => version.Version));
        Assert.Equal(["v4", "v3"], (await repository.ListRejectedAsync()).Select(version => version.Version));
        Assert.True(await container.GetBlobClient("rejected/v4/model.onnx").ExistsAsync());
        await Assert.ThrowsAsync<ModelVersionNotFoundException>(() => repository.DownloadAsync("v4", _temp.Combine("x")));
    }

    [Fact]
    public async Task BundleWithoutManifest_IsRefusedBeforeAnyUpload()
    {
        var (repository, container) = NewRepository();
        var bundle = Bundle("v1");
        File.Delete(Path.Combine(bundle, "manifest.json"));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => repository.PublishAsync(bundle, "v1", replacing: null));

        Assert.Contains("manifest.json", error.Message);
        Assert.False(await container.ExistsAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("rejected")]
    [InlineData("latest.json")]
    [InlineData("a/b")]
    [InlineData("-v1")]
    public async Task InvalidVersion_IsRefused(string version)
    {
        var (repository, _) = NewRepository();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => repository.PublishAsync(Bundle("v1"), version, replacing: null));

        Assert.Equal("version", error.ParamName);
    }
}

/// <summary>Reports synchronously on the caller's thread, unlike <see cref="Progress{T}"/>.</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>Lets the first matching request reach the service, then fails as if its response was lost, so the SDK retries it.</summary>
internal sealed class LoseFirstResponsePolicy(Func<Request, bool> matches) : HttpPipelinePolicy
{
    public bool Lost { get; private set; }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ProcessNext(message, pipeline);
        LoseIfFirst(message);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await ProcessNextAsync(message, pipeline);
        LoseIfFirst(message);
    }

    private void LoseIfFirst(HttpMessage message)
    {
        if (!Lost && matches(message.Request))
        {
            Lost = true;
            throw new IOException("Simulated lost response.");
        }
    }
}
