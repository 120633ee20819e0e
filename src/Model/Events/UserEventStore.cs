using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;

namespace Recommender.Model.Events;

/// <summary>
/// The user events in Azure Table Storage: one partition per user (the user id), and in it two kinds of rows.
/// <list type="bullet">
/// <item>An event row per event, row key "e" + inverted ticks of its timestamp + "-" + the post's random id + the event's
/// inverted position in the post, so a partition's event rows sort newest first (events of one post with one timestamp,
/// as "now" gives them, later position first) and "everything after T" is one row-key range.</item>
/// <item>An eventId marker per event that has an eventId, row key "i" + eventId, written in the same transaction as
/// its event row.</item>
/// </list>
/// Why markers: a repeated eventId may come with another timestamp (a retry whose timestamp defaulted to "now"), so
/// the event row's key cannot be the dedupe key without losing the newest-first order. The marker's key depends on the
/// eventId alone, and Table Storage lets only one insert of a row key succeed, atomically with the rest of the
/// transaction: of two concurrent posts of one eventId, exactly one stores the event, the other's transaction fails
/// whole (nothing of it is stored), drops the events whose markers now exist and tries again. No read-then-write race
/// is left. A post is one transaction (at most 100 entities) unless its events plus their markers exceed 100: then it
/// is split into transactions that each keep an event and its marker together, so an outage between them can leave
/// the first part stored; the client's retry of the post then stores the rest exactly once, provided the events carry
/// eventIds. Events without an eventId are stored once per successful post.
/// </summary>
public sealed class UserEventStore
{
    public const int MaxTransactionEntities = 100;

    private const string EventRowPrefix = "e";
    private const string EventRowEnd = "f";
    private const string MarkerRowPrefix = "i";
    private const string MovieIdProperty = "MovieId";
    private const string RatingProperty = "Rating";
    private const string EventTimeProperty = "EventTime";
    private const string EventIdProperty = "EventId";
    private static readonly string[] EventColumns = ["PartitionKey", MovieIdProperty, RatingProperty, EventTimeProperty, EventIdProperty];

    private readonly TableClient _table;
    private readonly Lock _gate = new();
    private Task? _created;

    public UserEventStore(TableServiceClient service, EventStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _table = service.GetTableClient(options.TableName);
    }

    public string TableName => _table.Name;

    /// <summary>Stores <paramref name="events"/> for <paramref name="userId"/>; repeated eventIds (stored before or within the post) are counted, not stored.</summary>
    public async Task<StoredEvents> AddAsync(int userId, IReadOnlyList<UserEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(events.Count, UserEventRules.MaxEventsPerPost, nameof(events));
        var partition = PartitionKey(userId);
        var postId = Guid.NewGuid().ToString("N");
        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        var pending = new List<PostedEvent>(events.Count);
        for (var position = 0; position < events.Count; position++)
        {
            if (events[position].EventId is not { } eventId || seenIds.Add(eventId))
            {
                pending.Add(new PostedEvent(events[position], position));
            }
        }
        var duplicates = events.Count - pending.Count;
        if (pending.Count == 0)
        {
            return new StoredEvents(0, duplicates);
        }
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var accepted = 0;
        foreach (var chunk in Chunks(pending))
        {
            var remaining = chunk;
            while (remaining.Count > 0)
            {
                try
                {
                    await _table.SubmitTransactionAsync(Actions(partition, postId, remaining), cancellationToken).ConfigureAwait(false);
                    accepted += remaining.Count;
                    break;
                }
                catch (RequestFailedException error) when (error.Status == 409)
                {
                    var stored = await StoredEventIdsAsync(partition, remaining, cancellationToken).ConfigureAwait(false);
                    if (stored.Count == 0)
                    {
                        throw;
                    }
                    duplicates += stored.Count;
                    remaining = [.. remaining.Where(posted => posted.Event.EventId is not { } eventId || !stored.Contains(eventId))];
                }
            }
        }
        return new StoredEvents(accepted, duplicates);
    }

    /// <summary>The user's newest <paramref name="count"/> events, newest first.</summary>
    public async Task<IReadOnlyList<UserEvent>> GetNewestAsync(int userId, int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var filter = $"PartitionKey eq '{PartitionKey(userId)}' and RowKey ge '{EventRowPrefix}' and RowKey lt '{EventRowEnd}'";
        return await QueryAsync(filter, count, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The user's events after <paramref name="after"/> (strictly), newest first, at most <paramref name="count"/>: one range query.</summary>
    public async Task<IReadOnlyList<UserEvent>> GetAfterAsync(int userId, DateTimeOffset after, int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        // Newer events have smaller inverted ticks; "e" + the bound itself sorts before every row of that exact instant.
        var filter = $"PartitionKey eq '{PartitionKey(userId)}' and RowKey ge '{EventRowPrefix}' and RowKey lt '{EventRowPrefix}{InvertedTicks(after)}'";
        return await QueryAsync(filter, count, cancellationToken).ConfigureAwait(false);
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
                yield return new UserEvents(ParseUserId(partition), events);
                events = [];
            }
            partition = rows.Current.PartitionKey;
            events.Add(ToEvent(rows.Current));
        }
        if (partition is not null)
        {
            yield return new UserEvents(ParseUserId(partition), events);
        }
    }

    /// <summary>Erases every row of the user (events and eventId markers); returns how many events there were.</summary>
    public async Task<int> DeleteUserAsync(int userId, CancellationToken cancellationToken = default)
    {
        var rows = new List<TableEntity>();
        await using (var query = _table.QueryAsync<TableEntity>($"PartitionKey eq '{PartitionKey(userId)}'", maxPerPage: 1000, ["PartitionKey", "RowKey"], cancellationToken)
            .GetAsyncEnumerator(cancellationToken))
        {
            while (await MoveNextOrEmptyAsync(query).ConfigureAwait(false))
            {
                rows.Add(query.Current);
            }
        }
        foreach (var chunk in rows.Chunk(MaxTransactionEntities))
        {
            await _table.SubmitTransactionAsync(chunk.Select(row => new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All)), cancellationToken)
                .ConfigureAwait(false);
        }
        return rows.Count(row => row.RowKey.StartsWith(EventRowPrefix, StringComparison.Ordinal));
    }

    /// <summary>Creates the table once per process (again after a failure).</summary>
    private Task EnsureTableAsync(CancellationToken cancellationToken)
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

    private async Task<IReadOnlyList<UserEvent>> QueryAsync(string filter, int count, CancellationToken cancellationToken)
    {
        var events = new List<UserEvent>(Math.Min(count, 64));
        await using var rows = _table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(count, 1000), EventColumns, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (events.Count < count && await MoveNextOrEmptyAsync(rows).ConfigureAwait(false))
        {
            events.Add(ToEvent(rows.Current));
        }
        return events;
    }

    /// <summary>A table nobody has written to yet does not exist: it reads as empty.</summary>
    private static async ValueTask<bool> MoveNextOrEmptyAsync(IAsyncEnumerator<TableEntity> rows)
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

    /// <summary>The eventIds of <paramref name="events"/> whose markers exist (read concurrently, one point read each).</summary>
    private async Task<HashSet<string>> StoredEventIdsAsync(string partition, IReadOnlyList<PostedEvent> events, CancellationToken cancellationToken)
    {
        var ids = events.Select(posted => posted.Event.EventId).OfType<string>().ToList();
        var found = await Task.WhenAll(ids.Select(id =>
            _table.GetEntityIfExistsAsync<TableEntity>(partition, MarkerRowPrefix + id, ["RowKey"], cancellationToken))).ConfigureAwait(false);
        return [.. ids.Where((_, index) => found[index].HasValue)];
    }

    private static IEnumerable<TableTransactionAction> Actions(string partition, string postId, IReadOnlyList<PostedEvent> events)
    {
        foreach (var (userEvent, position) in events)
        {
            var inverted = (UserEventRules.MaxEventsPerPost - position).ToString("D3", CultureInfo.InvariantCulture);
            var row = new TableEntity(partition, $"{EventRowPrefix}{InvertedTicks(userEvent.Timestamp)}-{postId}{inverted}")
            {
                [MovieIdProperty] = userEvent.MovieId,
                [RatingProperty] = userEvent.Rating is { } rating ? (double)rating : null,
                [EventTimeProperty] = userEvent.Timestamp.ToUniversalTime(),
                [EventIdProperty] = userEvent.EventId,
            };
            yield return new TableTransactionAction(TableTransactionActionType.Add, row);
            if (userEvent.EventId is not null)
            {
                yield return new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(partition, MarkerRowPrefix + userEvent.EventId));
            }
        }
    }

    /// <summary>Consecutive runs of events whose rows and markers fit one transaction.</summary>
    private static IEnumerable<IReadOnlyList<PostedEvent>> Chunks(IReadOnlyList<PostedEvent> events)
    {
        var chunk = new List<PostedEvent>();
        var entities = 0;
        foreach (var userEvent in events)
        {
            var size = userEvent.Event.EventId is null ? 1 : 2;
            if (entities + size > MaxTransactionEntities)
            {
                yield return chunk;
                chunk = [];
                entities = 0;
            }
            chunk.Add(userEvent);
            entities += size;
        }
        yield return chunk;
    }

    /// <summary>An event and its position in the post (which orders events of one timestamp).</summary>
    private sealed record PostedEvent(UserEvent Event, int Position);

    private static UserEvent ToEvent(TableEntity row) => new(
        row.GetInt32(MovieIdProperty) ?? throw new InvalidDataException($"Event row {row.PartitionKey}/{row.RowKey} has no {MovieIdProperty}."),
        row.GetDouble(RatingProperty) is { } rating ? (float)rating : null,
        row.GetDateTimeOffset(EventTimeProperty) ?? throw new InvalidDataException($"Event row {row.PartitionKey}/{row.RowKey} has no {EventTimeProperty}."),
        row.GetString(EventIdProperty));

    private static string PartitionKey(int userId) => userId.ToString(CultureInfo.InvariantCulture);

    private static int ParseUserId(string partition) => int.Parse(partition, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>19 digits that sort descending in time (ticks up to DateTimeOffset.MaxValue fit 19 digits).</summary>
    private static string InvertedTicks(DateTimeOffset timestamp) =>
        (DateTimeOffset.MaxValue.UtcTicks - timestamp.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);
}
