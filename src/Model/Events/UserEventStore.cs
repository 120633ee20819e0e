using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;

namespace Recommender.Model.Events;

/// <summary>
/// The user events in Azure Table Storage: one partition per user (the user id), and in it two kinds of rows, written
/// in one transaction per post, so that a post is stored whole or not at all.
/// <list type="bullet">
/// <item>A post row per post: its events as JSON, newest first, under row key "e" + inverted ticks of its newest event +
/// "-" + a random post id. A partition's post rows sort newest first, and "every event after T" is one row-key range
/// (the rows whose newest event is after T; their older events are filtered out).</item>
/// <item>EventId index rows "index-00" to "index-31": a 128-bit fingerprint (SHA-256 prefix) of every stored eventId,
/// bucketed by its first byte.</item>
/// </list>
/// Why buckets rather than a row per eventId: a transaction holds at most 100 entities, and a post of 100 events with
/// eventIds would need 100 such rows besides its own. A post writes at most 32 index rows, each with the ETag it was
/// read with (or inserted, when new), so of two concurrent posts of one eventId exactly one transaction succeeds; the
/// other fails whole, reads the index again, counts the eventIds now stored as duplicates and tries again. A repeated
/// eventId may come with another timestamp (a retry whose timestamp defaulted to "now"), which is why the index is
/// keyed by the eventId alone. Events without an eventId are stored once per successful post.
/// </summary>
public sealed class UserEventStore
{
    public const int IndexBuckets = 32;

    private const string EventRowPrefix = "e";
    private const string EventRowEnd = "f";
    private const string IndexRowPrefix = "index-";
    private const string IndexRowEnd = "index.";
    private const string EventsProperty = "Events";
    private const string FingerprintsProperty = "Ids";
    private const int FingerprintBytes = 16;
    private const int FingerprintsPerProperty = 64 * 1024 / FingerprintBytes; // Table Storage's limit on one binary property

    /// <summary>A transaction's body is at most 4 MiB, and its binary properties travel as base64.</summary>
    private const int MaxFingerprintsPerTransaction = 3 * 1024 * 1024 / (FingerprintBytes * 4 / 3);

    /// <summary>Concurrent posts for one user that keep invalidating each other's index reads; each attempt has a winner.</summary>
    private const int MaxAttempts = 64;

    private static readonly string[] EventColumns = ["PartitionKey", EventsProperty];

    /// <summary>Users whose index rows this process keeps (beyond it, the cache starts over), and the most fingerprints kept per user.</summary>
    private const int MaxCachedUsers = 4096;
    private const int MaxCachedFingerprintsPerUser = 512;

    private readonly TableClient _table;
    private readonly Lock _gate = new();
    private Task? _created;

    /// <summary>
    /// Each user's index rows as this process last read or wrote them, so that a user's next post here skips the read.
    /// A copy that another instance made stale fails the transaction (ETag), and is then read again. A copy only ever
    /// lacks eventIds, except after an erasure elsewhere: so an eventId it holds is a duplicate only once a fresh read
    /// confirms it. (Measured: the read before every transaction cost ingest about 30%.)
    /// </summary>
    private readonly ConcurrentDictionary<string, Dictionary<int, IndexRow>> _indexes = new(StringComparer.Ordinal);

    public UserEventStore(TableServiceClient service, EventStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _table = service.GetTableClient(options.TableName);
    }

    public string TableName => _table.Name;

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
                pending.Add(new PostedEvent(userEvent, position, userEvent.EventId is null ? null : Fingerprint.Of(userEvent.EventId)));
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
        var withIds = pending.Any(posted => posted.Fingerprint is not null);
        for (var attempt = 1; ; attempt++)
        {
            var index = withIds ? await IndexAsync(partition, pending, cancellationToken).ConfigureAwait(false) : [];
            var fresh = pending.Where(posted => posted.Fingerprint is not { } fingerprint || !IsIndexed(index, fingerprint)).ToList();
            var duplicates = repeatedInPost + pending.Count - fresh.Count;
            if (fresh.Count == 0)
            {
                return new StoredEvents(0, duplicates);
            }
            var (actions, written) = Actions(userId, partition, postId, fresh, index);
            try
            {
                var responses = (await _table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false)).Value;
                if (withIds)
                {
                    RememberIndex(partition, index, written, responses);
                }
                return new StoredEvents(fresh.Count, duplicates);
            }
            catch (RequestFailedException error) when (error.Status is 404 or 409 or 412 && attempt < MaxAttempts)
            {
                // Another post (or an erasure) changed an index row since it was read: read it again.
                _indexes.TryRemove(partition, out _);
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
        _indexes.TryRemove(PartitionKey(userId), out _);
        foreach (var chunk in rows.Chunk(100))
        {
            await _table.SubmitTransactionAsync(chunk.Select(row => new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All)), cancellationToken)
                .ConfigureAwait(false);
        }
        return events;
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

    /// <summary>
    /// Reads post rows newest first until no later row can hold one of the newest <paramref name="count"/> events after
    /// <paramref name="after"/>: rows sort by their newest event, so reading stops at a row whose newest event is older
    /// than the count-th newest event read so far.
    /// </summary>
    private async Task<IReadOnlyList<UserEvent>> ReadNewestAsync(string filter, DateTimeOffset after, int count, CancellationToken cancellationToken)
    {
        var events = new List<UserEvent>();
        await using var rows = _table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(count, 1000), EventColumns, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (await MoveNextOrEmptyAsync(rows).ConfigureAwait(false))
        {
            var post = ReadEvents(rows.Current);
            if (events.Count >= count && post[0].Timestamp < events[count - 1].Timestamp)
            {
                break;
            }
            events.AddRange(post.Where(userEvent => userEvent.Timestamp > after));
            events = NewestFirst(events);
        }
        return events.Count > count ? events.GetRange(0, count) : events;
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

    /// <summary>The cached index rows unless they claim one of <paramref name="pending"/>'s eventIds (a claim a fresh read must confirm), else the rows read.</summary>
    private async Task<Dictionary<int, IndexRow>> IndexAsync(string partition, List<PostedEvent> pending, CancellationToken cancellationToken)
    {
        if (_indexes.TryGetValue(partition, out var cached) && !pending.Any(posted => posted.Fingerprint is { } fingerprint && IsIndexed(cached, fingerprint)))
        {
            return cached;
        }
        var index = await ReadIndexAsync(partition, cancellationToken).ConfigureAwait(false);
        Remember(partition, index);
        return index;
    }

    /// <summary>Caches the index after a transaction: <paramref name="index"/> with the rows it wrote, under the ETags the service answered.</summary>
    private void RememberIndex(string partition, Dictionary<int, IndexRow> index, List<(int Bucket, HashSet<Fingerprint> Fingerprints)> written, IReadOnlyList<Response> responses)
    {
        var updated = new Dictionary<int, IndexRow>(index);
        for (var row = 0; row < written.Count; row++)
        {
            // responses[0] answers the post row; the index rows follow in the order they were written.
            if (responses[row + 1].Headers.ETag is not { } etag)
            {
                _indexes.TryRemove(partition, out _);
                return;
            }
            updated[written[row].Bucket] = new IndexRow(etag, written[row].Fingerprints);
        }
        Remember(partition, updated);
    }

    private void Remember(string partition, Dictionary<int, IndexRow> index)
    {
        if (index.Values.Sum(row => row.Fingerprints.Count) > MaxCachedFingerprintsPerUser)
        {
            _indexes.TryRemove(partition, out _);
            return;
        }
        if (_indexes.Count >= MaxCachedUsers)
        {
            _indexes.Clear();
        }
        _indexes[partition] = index;
    }

    /// <summary>The user's eventId index rows by bucket, each with its fingerprints (one range query).</summary>
    private async Task<Dictionary<int, IndexRow>> ReadIndexAsync(string partition, CancellationToken cancellationToken)
    {
        var index = new Dictionary<int, IndexRow>();
        var filter = $"PartitionKey eq '{partition}' and RowKey ge '{IndexRowPrefix}' and RowKey lt '{IndexRowEnd}'";
        await using var rows = _table.QueryAsync<TableEntity>(filter, maxPerPage: IndexBuckets, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (await MoveNextOrEmptyAsync(rows).ConfigureAwait(false))
        {
            var row = rows.Current;
            var fingerprints = new HashSet<Fingerprint>();
            for (var part = 0; row.GetBinary(FingerprintsProperty + part.ToString(CultureInfo.InvariantCulture)) is { } bytes; part++)
            {
                for (var offset = 0; offset + FingerprintBytes <= bytes.Length; offset += FingerprintBytes)
                {
                    fingerprints.Add(Fingerprint.Read(bytes.AsSpan(offset, FingerprintBytes)));
                }
            }
            index[ParseBucket(row)] = new IndexRow(row.ETag, fingerprints);
        }
        return index;
    }

    private static bool IsIndexed(Dictionary<int, IndexRow> index, Fingerprint fingerprint) =>
        index.TryGetValue(fingerprint.Bucket, out var row) && row.Fingerprints.Contains(fingerprint);

    /// <summary>The post row, and each index row that gains fingerprints: replaced if it was read (with its ETag), added if it did not exist.</summary>
    private static (List<TableTransactionAction> Actions, List<(int Bucket, HashSet<Fingerprint> Fingerprints)> Written) Actions(
        int userId, string partition, string postId, List<PostedEvent> fresh, Dictionary<int, IndexRow> index)
    {
        var newestFirst = fresh.OrderByDescending(posted => posted.Event.Timestamp).ThenByDescending(posted => posted.Position)
            .Select(posted => posted.Event with { Timestamp = posted.Event.Timestamp.ToUniversalTime() }).ToList();
        var post = new TableEntity(partition, $"{EventRowPrefix}{InvertedTicks(newestFirst[0].Timestamp)}-{postId}")
        {
            [EventsProperty] = JsonSerializer.Serialize(newestFirst, StoredEventsJson.Default.ListUserEvent),
        };
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.Add, post) };
        var written = new List<(int Bucket, HashSet<Fingerprint> Fingerprints)>();
        var indexed = 0;
        foreach (var bucket in fresh.Select(posted => posted.Fingerprint).OfType<Fingerprint>().GroupBy(fingerprint => fingerprint.Bucket))
        {
            var read = index.GetValueOrDefault(bucket.Key);
            var fingerprints = (read?.Fingerprints ?? []).Concat(bucket).ToList();
            written.Add((bucket.Key, [.. fingerprints]));
            indexed += fingerprints.Count;
            var row = new TableEntity(partition, IndexRowKey(bucket.Key));
            foreach (var (part, chunk) in fingerprints.Chunk(FingerprintsPerProperty).Index())
            {
                var bytes = new byte[chunk.Length * FingerprintBytes];
                for (var i = 0; i < chunk.Length; i++)
                {
                    chunk[i].Write(bytes.AsSpan(i * FingerprintBytes, FingerprintBytes));
                }
                row[FingerprintsProperty + part.ToString(CultureInfo.InvariantCulture)] = bytes;
            }
            actions.Add(read is null
                ? new TableTransactionAction(TableTransactionActionType.Add, row)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, read.ETag));
        }
        if (indexed > MaxFingerprintsPerTransaction)
        {
            throw new InvalidOperationException(
                $"User {userId.ToString(CultureInfo.InvariantCulture)} has {indexed.ToString(CultureInfo.InvariantCulture)} eventIds in the index rows this post would rewrite, " +
                $"more than one Table Storage transaction (4 MiB) carries ({MaxFingerprintsPerTransaction.ToString(CultureInfo.InvariantCulture)}): post events of this user without eventIds.");
        }
        return (actions, written);
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

    private static string IndexRowKey(int bucket) => IndexRowPrefix + bucket.ToString("D2", CultureInfo.InvariantCulture);

    private static int ParseBucket(TableEntity row) =>
        int.TryParse(row.RowKey.AsSpan(IndexRowPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var bucket) && bucket < IndexBuckets
            ? bucket
            : throw new InvalidDataException($"Row {row.PartitionKey}/{row.RowKey} is in the eventId index range but is not an index row.");

    /// <summary>19 digits that sort descending in time (ticks up to DateTimeOffset.MaxValue fit 19 digits).</summary>
    private static string InvertedTicks(DateTimeOffset timestamp) =>
        (DateTimeOffset.MaxValue.UtcTicks - timestamp.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>An event and its position in the post (which orders events of one timestamp).</summary>
    private sealed record PostedEvent(UserEvent Event, int Position, Fingerprint? Fingerprint);

    /// <summary>An index row as read: its ETag (the condition of its replacement) and fingerprints.</summary>
    private sealed record IndexRow(ETag ETag, HashSet<Fingerprint> Fingerprints);

    /// <summary>
    /// The first 16 bytes of an eventId's SHA-256: a fixed size whatever the eventId's length (up to 128 characters),
    /// and 2^-128 per pair of one user's eventIds that two distinct ones collide.
    /// </summary>
    private readonly record struct Fingerprint(ulong High, ulong Low)
    {
        public int Bucket => (int)(High >> 56) % IndexBuckets;

        public static Fingerprint Of(string eventId)
        {
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(Encoding.UTF8.GetBytes(eventId), hash);
            return Read(hash[..FingerprintBytes]);
        }

        public static Fingerprint Read(ReadOnlySpan<byte> bytes) =>
            new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));

        public void Write(Span<byte> bytes)
        {
            BinaryPrimitives.WriteUInt64BigEndian(bytes, High);
            BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], Low);
        }
    }
}

/// <summary>A post row's events: camelCase, nulls left out.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<UserEvent>))]
internal sealed partial class StoredEventsJson : JsonSerializerContext;
