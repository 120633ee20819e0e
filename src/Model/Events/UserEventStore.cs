using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using Recommender.Model.Storage;

namespace Recommender.Model.Events;

/// <summary>
/// The user events in Azure Table Storage: one partition per user (the user id), and in it two kinds of rows, written
/// in one transaction per post, so that a post is stored whole or not at all.
/// <list type="bullet">
/// <item>A post row per post: its events as JSON, newest first, under row key "e" + inverted ticks of its newest event +
/// "-" + a random post id. A partition's post rows sort newest first, and "every event after T" is one row-key range
/// (the rows whose newest event is after T; their older events are filtered out).</item>
/// <item>The eventId index rows (<see cref="EventIdIndex"/>).</item>
/// </list>
/// After a post or an erasure has committed, a change row tells other instances which user changed (<see cref="Changes"/>).
/// Why an index of 32 rows rather than a row per eventId: a transaction holds at most 100 entities, and a post of 100
/// events with eventIds would need 100 such rows besides its own. Of two concurrent posts of one eventId exactly one
/// transaction succeeds (the index rows are replaced under their ETags); the other fails whole, reads the index again,
/// counts the eventIds now stored as duplicates and tries again. A repeated eventId may come with another timestamp (a
/// retry whose timestamp defaulted to "now"), which is why the index is keyed by the eventId alone. Events without an
/// eventId are stored once per successful post.
/// </summary>
public sealed class UserEventStore
{
    private const string EventRowPrefix = "e";
    private const string EventRowEnd = "f";
    private const string EventsProperty = "Events";

    /// <summary>Concurrent posts for one user that keep invalidating each other's index reads; each attempt has a winner.</summary>
    private const int MaxAttempts = 64;

    private static readonly string[] EventColumns = ["PartitionKey", EventsProperty];

    private readonly TableClient _table;
    private readonly EventIdIndex _index;
    private readonly Lock _gate = new();
    private Task? _created;

    public UserEventStore(TableServiceClient service, EventStoreOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _table = service.GetTableClient(options.TableName);
        _index = new EventIdIndex(_table);
        Changes = new UserEventChangeFeed(_table, timeProvider ?? TimeProvider.System);
    }

    public string TableName => _table.Name;

    public UserEventChangeFeed Changes { get; }

    /// <summary>Stores <paramref name="events"/> for <paramref name="userId"/> in one transaction; repeated eventIds (stored before or within the post) are counted, not stored.</summary>
    public async Task<StoredEvents> AddAsync(int userId, IReadOnlyList<UserEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(events.Count, UserEventRules.MaxEventsPerPost, nameof(events));
        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        var pending = new List<PostedEvent>(events.Count);
        for (var position = 0; position < events.Count; position++)
        {
            var userEvent = events[position];
            if (userEvent.EventId is not { } eventId || seenIds.Add(eventId))
            {
                pending.Add(new PostedEvent(userEvent, position, userEvent.EventId is null ? null : EventIdFingerprint.Of(userEvent.EventId)));
            }
        }
        var repeatedInPost = events.Count - pending.Count;
        if (pending.Count == 0)
        {
            return new StoredEvents(0, repeatedInPost);
        }
        var partition = PartitionKey(userId);
        var postId = Guid.NewGuid().ToString("N");
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var fingerprints = pending.Select(posted => posted.Fingerprint).OfType<EventIdFingerprint>().ToList();
        for (var attempt = 1; ; attempt++)
        {
            var index = fingerprints.Count > 0 ? await _index.ForPostAsync(partition, fingerprints, cancellationToken).ConfigureAwait(false) : EventIdIndex.Rows.None;
            var fresh = pending.Where(posted => posted.Fingerprint is not { } fingerprint || !index.Contains(fingerprint)).ToList();
            var duplicates = repeatedInPost + pending.Count - fresh.Count;
            if (fresh.Count == 0)
            {
                return new StoredEvents(0, duplicates);
            }
            var (indexActions, written) = EventIdIndex.Extend(userId, partition, index, fresh.Select(posted => posted.Fingerprint).OfType<EventIdFingerprint>());
            try
            {
                var responses = (await _table.SubmitTransactionAsync([PostRow(partition, postId, fresh), .. indexActions], cancellationToken).ConfigureAwait(false)).Value;
                if (written.Count > 0)
                {
                    _index.Written(partition, index, written, [.. responses.Skip(1)]);
                }
                return new StoredEvents(fresh.Count, duplicates, await TryPublishChangeAsync(userId, cancellationToken).ConfigureAwait(false));
            }
            catch (RequestFailedException error) when (error.Status is 404 or 409 or 412 && attempt < MaxAttempts)
            {
                // Another post (or an erasure) changed an index row since it was read: read it again.
                _index.Forget(partition);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(attempt)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The user's newest <paramref name="count"/> events, newest first.</summary>
    public Task<IReadOnlyList<UserEvent>> GetNewestAsync(int userId, int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var filter = $"PartitionKey eq '{PartitionKey(userId)}' and RowKey ge '{EventRowPrefix}' and RowKey lt '{EventRowEnd}'";
        return ReadNewestAsync(filter, DateTimeOffset.MinValue, count, cancellationToken);
    }

    /// <summary>The user's events after <paramref name="after"/> (strictly), newest first, at most <paramref name="count"/>: one range query.</summary>
    public Task<IReadOnlyList<UserEvent>> GetAfterAsync(int userId, DateTimeOffset after, int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        // Newer events have smaller inverted ticks; "e" + the bound itself sorts before every row whose newest event is at that instant.
        var filter = $"PartitionKey eq '{PartitionKey(userId)}' and RowKey ge '{EventRowPrefix}' and RowKey lt '{EventRowPrefix}{InvertedTicks(after)}'";
        return ReadNewestAsync(filter, after, count, cancellationToken);
    }

    /// <summary>Every user's events (each user's newest first), for the retrain.</summary>
    public async IAsyncEnumerable<UserEvents> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = $"RowKey ge '{EventRowPrefix}' and RowKey lt '{EventRowEnd}'";
        string? partition = null;
        var events = new List<UserEvent>();
        await using var rows = _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, EventColumns, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (await MoveNextOrEmptyAsync(rows).ConfigureAwait(false))
        {
            if (partition is not null && rows.Current.PartitionKey != partition)
            {
                yield return new UserEvents(ParseUserId(partition), NewestFirst(events));
                events = [];
            }
            partition = rows.Current.PartitionKey;
            events.AddRange(ReadEvents(rows.Current));
        }
        if (partition is not null)
        {
            yield return new UserEvents(ParseUserId(partition), NewestFirst(events));
        }
    }

    /// <summary>Erases every row of the user (posts and eventId index); returns how many events there were.</summary>
    public async Task<int> DeleteUserAsync(int userId, CancellationToken cancellationToken = default)
    {
        var rows = new List<TableEntity>();
        var events = 0;
        await using (var query = _table.QueryAsync<TableEntity>($"PartitionKey eq '{PartitionKey(userId)}'", maxPerPage: 1000,
            ["PartitionKey", "RowKey", EventsProperty], cancellationToken).GetAsyncEnumerator(cancellationToken))
        {
            while (await MoveNextOrEmptyAsync(query).ConfigureAwait(false))
            {
                rows.Add(query.Current);
                if (query.Current.RowKey.StartsWith(EventRowPrefix, StringComparison.Ordinal))
                {
                    events += ReadEvents(query.Current).Count;
                }
            }
        }
        foreach (var chunk in rows.Chunk(100))
        {
            await _table.SubmitTransactionAsync(chunk.Select(row => new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All)), cancellationToken)
                .ConfigureAwait(false);
        }
        _index.Forget(PartitionKey(userId));
        if (rows.Count > 0)
        {
            await Changes.PublishAsync(userId, cancellationToken).ConfigureAwait(false);
        }
        return events;
    }

    /// <summary>The post is stored whatever happens here: a change row that cannot be written is reported, not thrown.</summary>
    private async Task<bool> TryPublishChangeAsync(int userId, CancellationToken cancellationToken)
    {
        try
        {
            await Changes.PublishAsync(userId, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception error) when (StorageErrors.IsUnreachable(error))
        {
            return false;
        }
    }

    /// <summary>Creates the table once per process (again after a failure).</summary>
    internal Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_created is null || _created.IsFaulted || _created.IsCanceled)
            {
                _created = _table.CreateIfNotExistsAsync(cancellationToken);
            }
            return _created;
        }
    }

    /// <summary>
    /// Reads post rows newest first until no later row can hold one of the newest <paramref name="count"/> events after
    /// <paramref name="after"/>: rows sort by their newest event, so reading stops at a row whose newest event is older
    /// than the count-th newest event read so far.
    /// </summary>
    private async Task<IReadOnlyList<UserEvent>> ReadNewestAsync(string filter, DateTimeOffset after, int count, CancellationToken cancellationToken)
    {
        var events = new List<UserEvent>();
        // The count newest timestamps read so far; the queue's head is the count-th newest.
        var newest = new PriorityQueue<DateTimeOffset, DateTimeOffset>(count + 1);
        await using var rows = _table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(count, 1000), EventColumns, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (await MoveNextOrEmptyAsync(rows).ConfigureAwait(false))
        {
            var post = ReadEvents(rows.Current);
            if (newest.Count == count && post[0].Timestamp < newest.Peek())
            {
                break;
            }
            foreach (var userEvent in post.Where(userEvent => userEvent.Timestamp > after))
            {
                events.Add(userEvent);
                newest.Enqueue(userEvent.Timestamp, userEvent.Timestamp);
                if (newest.Count > count)
                {
                    newest.Dequeue();
                }
            }
        }
        events = NewestFirst(events);
        return events.Count > count ? events.GetRange(0, count) : events;
    }

    /// <summary>A table nobody has written to yet does not exist: it reads as empty.</summary>
    internal static async ValueTask<bool> MoveNextOrEmptyAsync(IAsyncEnumerator<TableEntity> rows)
    {
        try
        {
            return await rows.MoveNextAsync().ConfigureAwait(false);
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            return false;
        }
    }

    /// <summary>The post row of <paramref name="fresh"/>: its events newest first (of one timestamp, the later position first), in UTC.</summary>
    private static TableTransactionAction PostRow(string partition, string postId, List<PostedEvent> fresh)
    {
        var newestFirst = fresh.OrderByDescending(posted => posted.Event.Timestamp).ThenByDescending(posted => posted.Position)
            .Select(posted => posted.Event with { Timestamp = posted.Event.Timestamp.ToUniversalTime() }).ToList();
        var post = new TableEntity(partition, $"{EventRowPrefix}{InvertedTicks(newestFirst[0].Timestamp)}-{postId}")
        {
            [EventsProperty] = JsonSerializer.Serialize(newestFirst, StoredEventsJson.Default.ListUserEvent),
        };
        return new TableTransactionAction(TableTransactionActionType.Add, post);
    }

    private static IReadOnlyList<UserEvent> ReadEvents(TableEntity row)
    {
        var json = row.GetString(EventsProperty)
            ?? throw new InvalidDataException($"Event row {row.PartitionKey}/{row.RowKey} has no {EventsProperty}.");
        var events = JsonSerializer.Deserialize(json, StoredEventsJson.Default.ListUserEvent);
        return events is { Count: > 0 }
            ? events
            : throw new InvalidDataException($"Event row {row.PartitionKey}/{row.RowKey} has an empty or null {EventsProperty}.");
    }

    /// <summary>Stable: events of one timestamp keep their order (within a post, the later position first).</summary>
    private static List<UserEvent> NewestFirst(List<UserEvent> events) => [.. events.OrderByDescending(userEvent => userEvent.Timestamp)];

    private static string PartitionKey(int userId) => userId.ToString(CultureInfo.InvariantCulture);

    private static int ParseUserId(string partition) => int.Parse(partition, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>19 digits that sort descending in time (ticks up to DateTimeOffset.MaxValue fit 19 digits).</summary>
    private static string InvertedTicks(DateTimeOffset timestamp) =>
        (DateTimeOffset.MaxValue.UtcTicks - timestamp.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>An event and its position in the post (which orders events of one timestamp).</summary>
    private sealed record PostedEvent(UserEvent Event, int Position, EventIdFingerprint? Fingerprint);
}

/// <summary>A post row's events: camelCase, nulls left out.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<UserEvent>))]
internal sealed partial class StoredEventsJson : JsonSerializerContext;
