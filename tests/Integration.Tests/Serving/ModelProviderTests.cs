using Azure;
using Microsoft.Extensions.Logging.Abstractions;
using Recommender.Integration.Tests.Api;
using Recommender.Model.Serving;
using Recommender.Model.Storage;

namespace Recommender.Integration.Tests.Serving;

/// <summary>How soon a published model is served, and how often storage is read meanwhile (a 30 s refresh interval throughout).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ModelProviderTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly TimeSpan LongRefreshInterval = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AModelPublishedAfterA503_IsServedByTheNextRequestASecondLater_AndConcurrentRequestsShareTheChecks()
    {
        var (repository, publisher) = Repositories();
        // The provider's clock stands still until the test moves it: a publish that takes over a second on a busy
        // machine must not open the next check early.
        var clock = new ManualClock();
        using var provider = Provider(repository, clock: clock);

        var first = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => provider.AcquireAsync().AsTask()));
        Assert.All(first, Assert.Null);
        Assert.Equal(1, repository.LatestReads);
        Assert.Equal(ModelProvider.UnservedCheckInterval, provider.RetryAfter);

        var latest = await PublishAsync(publisher, ApiBundles.V1);
        clock.Advance(ModelProvider.UnservedCheckInterval - TimeSpan.FromMilliseconds(1));
        var duringTheWindow = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => provider.AcquireAsync().AsTask()));
        Assert.All(duringTheWindow, Assert.Null);
        Assert.Equal(1, repository.LatestReads);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        using var lease = await provider.AcquireAsync();

        Assert.NotNull(lease);
        Assert.Equal(latest.Version, lease.Model.Published.Version);
        Assert.Equal(1, provider.LoadAttempts);
    }

    [Fact]
    public async Task OnceAModelIsServed_TheRefreshIntervalGovernsTheChecks()
    {
        var (repository, publisher) = Repositories();
        await PublishAsync(publisher, ApiBundles.V1);
        using var provider = Provider(repository);
        using (var served = await provider.AcquireAsync())
        {
            Assert.NotNull(served);
        }
        var readsAfterTheLoad = repository.LatestReads;

        await PublishAsync(publisher, ApiBundles.V2);
        await Task.Delay(ModelProvider.UnservedCheckInterval + TimeSpan.FromMilliseconds(100));
        using var lease = await provider.AcquireAsync();

        Assert.Equal(ApiBundles.VersionOf(ApiBundles.V1), lease!.Model.ModelVersion);
        Assert.Equal(readsAfterTheLoad, repository.LatestReads);
    }

    [Fact]
    public async Task APublishSignalledInThisProcess_IsLoadedAtOnce_WithoutARequest()
    {
        var (repository, publisher) = Repositories();
        var signal = new ModelPublishedSignal();
        using var provider = Provider(repository, signal);

        foreach (var bundle in new[] { ApiBundles.V1, ApiBundles.V2 })
        {
            var latest = await PublishAsync(publisher, bundle);
            signal.Notify(latest);
            await WaitUntilServedAsync(provider, latest.Version);
        }

        Assert.Equal(2, provider.LoadAttempts);
        Assert.Equal(2, repository.ETagReads);
    }

    [Fact]
    public async Task APublishSignalledWhileACheckIsReadingTheOldLatest_IsCheckedAgainAfterIt()
    {
        var (repository, publisher) = Repositories();
        var signal = new ModelPublishedSignal();
        using var provider = Provider(repository, signal);
        var release = repository.HoldNextETagRead();

        var firstCheck = provider.RefreshNowAsync();
        await repository.ETagReadHeld;
        var latest = await PublishAsync(publisher, ApiBundles.V1);
        signal.Notify(latest);
        release.SetResult();
        await firstCheck;

        await WaitUntilServedAsync(provider, latest.Version);
        Assert.Equal(2, repository.ETagReads);
    }

    private (CountingModelRepository Counting, ModelRepository Publisher) Repositories()
    {
        var container = azurite.UniqueContainer("models");
        return (new CountingModelRepository(new ModelRepository(container, retentionCount: 5)), new ModelRepository(container, retentionCount: 5));
    }

    private ModelProvider Provider(IModelRepository repository, ModelPublishedSignal? signal = null, TimeProvider? clock = null) =>
        new(repository, new ServingOptions { RefreshInterval = LongRefreshInterval, CacheFolder = _temp.Path }, NullLogger<ModelProvider>.Instance,
            timeProvider: clock, publishedSignal: signal);

    private static async Task<LatestModel> PublishAsync(ModelRepository publisher, string bundle)
    {
        var version = ApiBundles.VersionOf(bundle) + "-" + Guid.NewGuid().ToString("N")[..6];
        return (await publisher.PublishAsync(bundle, version, await publisher.GetLatestAsync())).Latest;
    }

    private static async Task WaitUntilServedAsync(ModelProvider provider, string version)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (provider.Current?.Published.Version != version)
        {
            Assert.True(DateTime.UtcNow < deadline, $"version {version} was not served in time (serving {provider.Current?.Published.Version ?? "nothing"})");
            await Task.Delay(20);
        }
    }

    /// <summary>Counts the reads of latest.json; can hold one ETag read's answer back until released.</summary>
    private sealed class CountingModelRepository(IModelRepository inner) : IModelRepository
    {
        private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource? _release;
        private int _etagReads;
        private int _latestReads;

        public int ETagReads => Volatile.Read(ref _etagReads);

        /// <summary>HEADs and GETs of latest.json.</summary>
        public int LatestReads => Volatile.Read(ref _latestReads);

        public Task ETagReadHeld => _held.Task;

        public TaskCompletionSource HoldNextETagRead() => _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<ETag?> GetLatestETagAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _etagReads);
            Interlocked.Increment(ref _latestReads);
            var etag = await inner.GetLatestETagAsync(cancellationToken);
            if (Interlocked.Exchange(ref _release, null) is { } release)
            {
                _held.SetResult();
                await release.Task;
            }
            return etag;
        }

        public Task<LatestModel?> GetLatestAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _latestReads);
            return inner.GetLatestAsync(cancellationToken);
        }

        public Task<DownloadedModel> DownloadAsync(string version, string localFolder, CancellationToken cancellationToken = default) =>
            inner.DownloadAsync(version, localFolder, cancellationToken);

        public Task<PublishedModel> PublishAsync(string bundleFolder, string version, LatestModel? replacing, IProgress<BundleUploadProgress>? progress = null, CancellationToken cancellationToken = default) =>
            inner.PublishAsync(bundleFolder, version, replacing, progress, cancellationToken);

        public Task<StoredBundle> StoreRejectedAsync(string bundleFolder, string version, CancellationToken cancellationToken = default) =>
            inner.StoreRejectedAsync(bundleFolder, version, cancellationToken);

        public Task<LatestModel> PromoteAsync(string version, LatestModel? replacing, CancellationToken cancellationToken = default) =>
            inner.PromoteAsync(version, replacing, cancellationToken);

        public Task<IReadOnlyList<StoredModelVersion>> ListVersionsAsync(CancellationToken cancellationToken = default) => inner.ListVersionsAsync(cancellationToken);

        public Task<IReadOnlyList<StoredModelVersion>> ListRejectedAsync(CancellationToken cancellationToken = default) => inner.ListRejectedAsync(cancellationToken);

        public Task<IReadOnlyList<string>> PruneAsync(CancellationToken cancellationToken = default) => inner.PruneAsync(cancellationToken);
    }
}
