using Recommender.Model.Events;
using Recommender.Model.Storage;

namespace Recommender.Integration.Tests.Events;

/// <summary>The user event store against Azurite's table service.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class UserEventStoreTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task EightClientsPosting500EventsEach_WithRepeatedEventIds_StoreExactlyTheDistinctEvents()
    {
        var store = NewStore();
        const int clients = 8, perClient = 500, perPost = 50, users = 3;
        // Every client posts 300 events of its own and 200 that all clients share (the same eventId, user and movie),
        // with a timestamp that differs per client, as a retry whose timestamp defaulted to "now" would.
        var posts = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            var events = Enumerable.Range(0, perClient).Select(index =>
            {
                var shared = index % 5 < 2;
                var id = shared ? $"shared-{index}" : $"client{client}-{index}";
                return (User: 1000 + index % users, Event: new UserEvent(1 + index, shared ? null : 4f, Start.AddSeconds(index + (shared ? client * 0.001 : 0)), id));
            }).ToList();
            var totals = (Accepted: 0, Duplicates: 0);
            foreach (var group in events.GroupBy(pair => pair.User))
            {
                foreach (var chunk in group.Select(pair => pair.Event).Chunk(perPost))
                {
                    var stored = await store.AddAsync(group.Key, chunk);
                    totals = (totals.Accepted + stored.Accepted, totals.Duplicates + stored.Duplicates);
                }
            }
            return totals;
        })).ToList();
        var results = await Task.WhenAll(posts);

        const int sharedCount = perClient * 2 / 5;
        const int distinct = clients * (perClient - sharedCount) + sharedCount;
        Assert.Equal(distinct, results.Sum(result => result.Accepted));
        Assert.Equal(clients * perClient - distinct, results.Sum(result => result.Duplicates));
        var all = new List<UserEvent>();
        await foreach (var user in store.ReadAllAsync())
        {
            all.AddRange(user.Events);
        }
        Assert.Equal(distinct, all.Count);
        Assert.Equal(distinct, all.Select(stored => stored.EventId).Distinct().Count());
        var newest = await store.GetNewestAsync(1000, 100);
        Assert.Equal(100, newest.Count);
        Assert.Equal(newest.OrderByDescending(stored => stored.Timestamp).Select(stored => stored.Timestamp), newest.Select(stored => stored.Timestamp));
    }

    [Fact]
    public async Task APostOf100EventsWithEventIds_IsOneTransaction_AndItsRepeatIsAllDuplicates()
    {
        var (store, requests) = TableRequestCounter.Store(new EventStoreOptions { ConnectionString = azurite.ConnectionString, TableName = UniqueTableName() });
        var events = Enumerable.Range(0, UserEventRules.MaxEventsPerPost)
            .Select(index => new UserEvent(index + 1, 3.5f, Start.AddMinutes(index), $"big-{index}")).ToList();

        Assert.Equal(new StoredEvents(100, 0), await store.AddAsync(7, events));
        Assert.Equal(1, requests.Batches);
        Assert.Equal(new StoredEvents(0, 100), await store.AddAsync(7, events));
        Assert.Equal(1, requests.Batches);
        var stored = await store.GetNewestAsync(7, 100);
        Assert.Equal(events.AsEnumerable().Reverse(), stored);
    }

    [Fact]
    public async Task TwoInstances_KeepEventIdsSingle_WhenOnesCachedIndexIsStale()
    {
        var options = new EventStoreOptions { ConnectionString = azurite.ConnectionString, TableName = UniqueTableName() };
        var (first, requests) = TableRequestCounter.Store(options);
        var second = new UserEventStore(azurite.CreateTableServiceClient(), options);
        await first.AddAsync(9, [new UserEvent(1, null, Start, "a")]);

        // A user's next post on the same instance skips the index read: one transaction, no query.
        var before = (requests.Batches, requests.Queries);
        Assert.Equal(new StoredEvents(1, 0), await first.AddAsync(9, [new UserEvent(2, null, Start, "b")]));
        Assert.Equal((before.Batches + 1, before.Queries), (requests.Batches, requests.Queries));

        // Stored elsewhere after the first instance cached the index: its stale copy fails on the ETag and is read again.
        Assert.Equal(new StoredEvents(1, 0), await second.AddAsync(9, [new UserEvent(3, null, Start, "c")]));
        Assert.Equal(new StoredEvents(1, 1), await first.AddAsync(9, [new UserEvent(3, null, Start, "c"), new UserEvent(4, null, Start, "d")]));

        // Erased elsewhere: the cached copy still holds "a", which only a fresh read can confirm, and it does not.
        await second.DeleteUserAsync(9);
        Assert.Equal(new StoredEvents(1, 0), await first.AddAsync(9, [new UserEvent(1, null, Start, "a")]));
        Assert.Equal([1], (await second.GetNewestAsync(9, 10)).Select(stored => stored.MovieId));
    }

    [Fact]
    public async Task GetNewest_MergesPostsWhoseEventsInterleaveInTime()
    {
        var store = NewStore();
        // The second post is newer as a whole but holds the oldest event; the first holds the two in the middle.
        await store.AddAsync(3, [new UserEvent(1, null, Start.AddHours(1), null), new UserEvent(2, null, Start.AddHours(2), null)]);
        await store.AddAsync(3, [new UserEvent(3, null, Start, null), new UserEvent(4, null, Start.AddHours(3), null)]);

        Assert.Equal([4, 2, 1, 3], (await store.GetNewestAsync(3, 10)).Select(stored => stored.MovieId));
        Assert.Equal([4, 2], (await store.GetNewestAsync(3, 2)).Select(stored => stored.MovieId));
        Assert.Equal([4, 2, 1], (await store.GetAfterAsync(3, Start, 10)).Select(stored => stored.MovieId));
    }

    [Fact]
    public async Task GetAfter_ReadsOnlyNewerEvents_NewestFirst_AndDeleteErasesTheUser()
    {
        var store = NewStore();
        await store.AddAsync(5, [
            new UserEvent(10, null, Start, null),
            new UserEvent(11, 5f, Start.AddHours(1), "a"),
            new UserEvent(12, 0.5f, Start.AddHours(2), null),
        ]);
        await store.AddAsync(6, [new UserEvent(99, null, Start.AddHours(3), null)]);

        var after = await store.GetAfterAsync(5, Start, 10);
        Assert.Equal([12, 11], after.Select(stored => stored.MovieId));
        Assert.Equal(new UserEvent(11, 5f, Start.AddHours(1), "a"), after[1]);
        Assert.Empty(await store.GetAfterAsync(5, Start.AddHours(2), 10));

        Assert.Equal(3, await store.DeleteUserAsync(5));
        Assert.Empty(await store.GetNewestAsync(5, 10));
        Assert.Single(await store.GetNewestAsync(6, 10));
        // The erased eventId is free again: the index went with the events.
        Assert.Equal(new StoredEvents(1, 0), await store.AddAsync(5, [new UserEvent(11, 5f, Start, "a")]));
    }

    [Fact]
    public async Task ATableNobodyWroteTo_ReadsAsEmpty()
    {
        var store = NewStore();

        Assert.Empty(await store.GetNewestAsync(1, 10));
        Assert.Equal(0, await store.DeleteUserAsync(1));
        await foreach (var _ in store.ReadAllAsync())
        {
            Assert.Fail("no events expected");
        }
    }

    [Fact]
    public async Task UnreachableTable_FailsAsUnreachable_AndStoresNothing()
    {
        var options = new EventStoreOptions { ConnectionString = AzuriteFixture.UnreachableConnectionString(), TableName = UniqueTableName() };
        var unreachable = new UserEventStore(options.CreateServiceClient(AzuriteFixture.FastFailingTableOptions()), options);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => unreachable.AddAsync(1, [new UserEvent(1, null, Start, "x")]));

        Assert.True(StorageErrors.IsUnreachable(error), error.ToString());
        var reachable = new UserEventStore(azurite.CreateTableServiceClient(), options);
        Assert.Empty(await reachable.GetNewestAsync(1, 10));
    }

    private UserEventStore NewStore()
    {
        var options = new EventStoreOptions { ConnectionString = azurite.ConnectionString, TableName = UniqueTableName() };
        return new UserEventStore(azurite.CreateTableServiceClient(), options);
    }

    private static string UniqueTableName() => "events" + Guid.NewGuid().ToString("N")[..12];
}
