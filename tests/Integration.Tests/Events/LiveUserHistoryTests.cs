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
public sealed class LiveUserHistoryTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task AnEventStoredThroughAnotherInstance_IsReflectedWithinASecond_AndNotQueriedAgainBefore()
    {
        var (store, model, engine) = Setup();
        using var _ = engine;
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var reader = new LiveUserHistory(store, NullLogger<LiveUserHistory>.Instance, clock);
        const int user = 7, movie = 42;

        Assert.Empty(await reader.NewMoviesAsync(model, user));
        // Another instance answers 202 for an event: this instance's cache does not know of it.
        await store.AddAsync(user, [new UserEvent(movie, 4f, clock.GetUtcNow(), "e1")]);

        clock.Advance(LiveUserHistory.CacheLifetime - TimeSpan.FromMilliseconds(1));
        Assert.Empty(await reader.NewMoviesAsync(model, user));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var reflected = await reader.NewMoviesAsync(model, user);
        Assert.Equal([movie], reflected);
        Assert.True(LiveUserHistory.CacheLifetime < TimeSpan.FromSeconds(1), $"cache lifetime {LiveUserHistory.CacheLifetime}");
    }

    [Fact]
    public async Task AForget_DropsTheEntryAtOnce()
    {
        var (store, model, engine) = Setup();
        using var _ = engine;
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var reader = new LiveUserHistory(store, NullLogger<LiveUserHistory>.Instance, clock);
        const int user = 9;
        await store.AddAsync(user, [new UserEvent(44, null, clock.GetUtcNow(), null)]);
        Assert.Equal(new[] { 44 }, await ReadAsync(reader, model, user));

        clock.Advance(TimeSpan.FromMilliseconds(1));
        await store.AddAsync(user, [new UserEvent(45, null, clock.GetUtcNow(), null)]);
        reader.Forget(user);

        Assert.Equal(new[] { 44, 45 }, await ReadAsync(reader, model, user));
    }

    private static async Task<int[]> ReadAsync(LiveUserHistory reader, ServedModel model, int user) => await reader.NewMoviesAsync(model, user);

    private (UserEventStore Store, ServedModel Model, RecommendationEngine Engine) Setup()
    {
        var options = new EventStoreOptions { ConnectionString = azurite.ConnectionString, TableName = "live" + Guid.NewGuid().ToString("N")[..12] };
        var store = new UserEventStore(azurite.CreateTableServiceClient(), options);
        var engine = RecommendationEngine.Load(ApiBundles.V1);
        var model = new ServedModel(engine, new LatestModel("v1", DateTimeOffset.UtcNow, "sha", ETag.All), DateTimeOffset.UtcNow);
        return (store, model, engine);
    }
}
