using Azure;
using Microsoft.Extensions.Logging.Abstractions;
using Recommender.Integration.Tests.Api;
using Recommender.Model.Engine;
using Recommender.Model.Events;
using Recommender.Model.Serving;
using Recommender.Model.Storage;

namespace Recommender.Integration.Tests.Events;

/// <summary>The live history's cache against Azurite's table service.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class LiveUserHistoryTests : IDisposable
{
    private readonly RecommendationEngine _engine = RecommendationEngine.Load(ApiBundles.V1);
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private readonly UserEventStore _store;
    private readonly ServedModel _model;
    private readonly LiveUserHistory _reader;

    public LiveUserHistoryTests(AzuriteFixture azurite)
    {
        _store = new UserEventStore(azurite.CreateTableServiceClient(),
            new EventStoreOptions { ConnectionString = azurite.ConnectionString, TableName = "live" + Guid.NewGuid().ToString("N")[..12] });
        _model = new ServedModel(_engine, new LatestModel("v1", _clock.GetUtcNow(), "sha", ETag.All), _clock.GetUtcNow());
        _reader = new LiveUserHistory(_store, NullLogger<LiveUserHistory>.Instance, _clock);
    }

    [Fact]
    public async Task AnEventStoredThroughAnotherInstance_IsReflectedWithinASecond_AndNotQueriedAgainBefore()
    {
        const int user = 7, movie = 42;

        Assert.Empty(await _reader.NewMoviesAsync(_model, user));
        // Another instance answers 202 for an event: this instance's cache does not know of it.
        await _store.AddAsync(user, [new UserEvent(movie, 4f, _clock.GetUtcNow(), "e1")]);

        _clock.Advance(LiveUserHistory.CacheLifetime - TimeSpan.FromMilliseconds(1));
        Assert.Empty(await _reader.NewMoviesAsync(_model, user));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var reflected = await _reader.NewMoviesAsync(_model, user);
        Assert.Equal([movie], reflected);
        Assert.True(LiveUserHistory.CacheLifetime < TimeSpan.FromSeconds(1), $"cache lifetime {LiveUserHistory.CacheLifetime}");
    }

    [Fact]
    public async Task AForget_DropsTheEntryAtOnce()
    {
        const int user = 9;
        await _store.AddAsync(user, [new UserEvent(44, null, _clock.GetUtcNow(), null)]);
        var before = await _reader.NewMoviesAsync(_model, user);
        Assert.Equal([44], before);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await _store.AddAsync(user, [new UserEvent(45, null, _clock.GetUtcNow(), null)]);
        _reader.Forget(user);

        var after = await _reader.NewMoviesAsync(_model, user);
        Assert.Equal([44, 45], after);
    }

    public void Dispose() => _engine.Dispose();
}
