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
    /// <summary>Another instance's store: its posts reach the reader through the table and the change feed only.</summary>
    private readonly UserEventStore _store;
    private readonly AzuriteFixture _azurite;
    private readonly TableRequestCounter _readerRequests;
    private readonly ServedModel _model;
    private readonly LiveUserHistory _reader;

    public LiveUserHistoryTests(AzuriteFixture azurite)
    {
        _azurite = azurite;
        var options = new EventStoreOptions { ConnectionString = azurite.ConnectionString, TableName = "live" + Guid.NewGuid().ToString("N")[..12] };
        _store = new UserEventStore(azurite.CreateTableServiceClient(), options, _clock);
        var (readerStore, readerRequests) = TableRequestCounter.Store(options, _clock);
        _readerRequests = readerRequests;
        _model = new ServedModel(_engine, new LatestModel("v1", _clock.GetUtcNow(), "sha", ETag.All), _clock.GetUtcNow());
        _reader = new LiveUserHistory(readerStore, NullLogger<LiveUserHistory>.Instance, _clock);
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

    [Fact]
    public async Task WhileTheChangeFeedIsRead_AnEntryOutlivesItsLifetime_UntilAnotherInstancePostsForTheUser()
    {
        const int user = 11, other = 12, movie = 46;
        await _store.AddAsync(other, [new UserEvent(47, null, _clock.GetUtcNow(), null)]);
        Assert.Empty(await _reader.NewMoviesAsync(_model, user));
        Assert.Equal(1, await _reader.PollChangesAsync());

        for (var second = 0; second < 5; second++)
        {
            _clock.Advance(TimeSpan.FromSeconds(0.5));
            Assert.Equal(0, await _reader.PollChangesAsync());
            var queries = _readerRequests.Queries;
            Assert.Empty(await _reader.NewMoviesAsync(_model, user));
            Assert.Equal(queries, _readerRequests.Queries);
        }

        await _store.AddAsync(user, [new UserEvent(movie, 3.5f, _clock.GetUtcNow(), "e2")]);
        Assert.Equal(1, await _reader.PollChangesAsync());
        var reflected = await _reader.NewMoviesAsync(_model, user);
        Assert.Equal([movie], reflected);
    }

    [Fact]
    public async Task WithoutAFreshPoll_AnEntryLivesOnlyItsLifetime()
    {
        const int user = 13, movie = 48;
        Assert.Equal(0, await _reader.PollChangesAsync());
        Assert.Empty(await _reader.NewMoviesAsync(_model, user));
        await _store.AddAsync(user, [new UserEvent(movie, null, _clock.GetUtcNow(), null)]);

        _clock.Advance(LiveUserHistory.CacheLifetime);

        var reflected = await _reader.NewMoviesAsync(_model, user);
        Assert.Equal([movie], reflected);
    }

    [Fact]
    public async Task WhileTheChangeFeedIsRead_AnEntryIsServedAtMostItsTrustedAge()
    {
        const int user = 14;
        Assert.Empty(await _reader.NewMoviesAsync(_model, user));
        var queries = _readerRequests.Queries;
        var step = TimeSpan.FromMilliseconds(500);
        var polls = 0;
        for (var age = step; age < LiveUserHistory.MaxTrustedAge; age += step, polls++)
        {
            _clock.Advance(step);
            await _reader.PollChangesAsync();
            Assert.Empty(await _reader.NewMoviesAsync(_model, user));
        }
        Assert.Equal(queries + polls, _readerRequests.Queries);

        _clock.Advance(step);
        await _reader.PollChangesAsync();
        Assert.Empty(await _reader.NewMoviesAsync(_model, user));
        Assert.Equal(queries + polls + 2, _readerRequests.Queries);
    }

    [Fact]
    public async Task ChangeRows_NameThePostedAndErasedUsers_AndOnlyTheOldOnesAreDeleted()
    {
        var start = _clock.GetUtcNow();
        await _store.AddAsync(21, [new UserEvent(1, null, start, null)]);
        Assert.Equal(0, await _store.DeleteUserAsync(22));
        _clock.Advance(UserEventChangeFeed.Retention + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await _store.DeleteUserAsync(21));

        var all = await _store.Changes.ReadSinceAsync(start, CancellationToken.None);
        Assert.Equal([21, 21], all.Select(change => change.UserId));
        Assert.Equal(1, await _store.Changes.DeleteBeforeAsync(_clock.GetUtcNow() - UserEventChangeFeed.Retention, CancellationToken.None));
        var kept = await _store.Changes.ReadSinceAsync(start, CancellationToken.None);
        Assert.Equal([all[1].Key], kept.Select(change => change.Key));
    }

    [Fact]
    public async Task ConcurrentChanges_ShareTheirWrites_AndEveryUserHasARow()
    {
        var options = new EventStoreOptions { ConnectionString = _azurite.ConnectionString, TableName = "feed" + Guid.NewGuid().ToString("N")[..12] };
        var (store, requests) = TableRequestCounter.Store(options, _clock);
        await store.AddAsync(1, [new UserEvent(1, null, _clock.GetUtcNow(), null)]);
        var before = requests.Posts;
        var users = Enumerable.Range(100, 40).ToList();

        await Task.WhenAll(users.Select(user => store.Changes.PublishAsync(user, CancellationToken.None)));

        var writes = requests.Posts - before;
        Assert.InRange(writes, 1, users.Count - 1);
        var changed = await store.Changes.ReadSinceAsync(_clock.GetUtcNow() - TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Equal([1, .. users], changed.Select(change => change.UserId).Order());
    }

    public void Dispose() => _engine.Dispose();
}
