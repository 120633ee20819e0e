using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace Recommender.Model.Events;

/// <summary>
/// Which eventIds a user has stored (see <see cref="UserEventStore"/>): rows "index-00" to "index-31" of the user's
/// partition hold a 128-bit fingerprint of every stored eventId, bucketed by its first byte. A post extends the rows
/// its eventIds fall in, within its own transaction, each replaced under the ETag it was read with (or added, when new).
/// Each instance keeps the rows it last read or wrote, so that a user's next post here skips the read: a copy that
/// another instance made stale fails the transaction (ETag) and is read again. A copy only ever lacks eventIds, except
/// after an erasure elsewhere, so an eventId the copy holds counts as a duplicate only once a fresh read confirms it.
/// (Measured: reading the rows before every transaction cost ingest about 30%.)
/// </summary>
internal sealed class EventIdIndex(TableClient table)
{
    public const int Buckets = 32;

    private const string RowPrefix = "index-";
    private const string RowEnd = "index.";
    private const string FingerprintsProperty = "Ids";
    private const int FingerprintsPerProperty = 64 * 1024 / EventIdFingerprint.Bytes; // Table Storage's limit on one binary property

    /// <summary>A transaction's body is at most 4 MiB, and its binary properties travel as base64.</summary>
    private const int MaxFingerprintsPerTransaction = 3 * 1024 * 1024 / (EventIdFingerprint.Bytes * 4 / 3);

    /// <summary>Users whose rows an instance keeps (beyond it, the cache starts over), and the most fingerprints kept per user.</summary>
    private const int MaxCachedUsers = 4096;
    private const int MaxCachedFingerprintsPerUser = 512;

    private readonly ConcurrentDictionary<string, Rows> _cached = new(StringComparer.Ordinal);

    /// <summary>The rows a post of <paramref name="fingerprints"/> extends: the kept copy unless it claims one of them, else the rows read.</summary>
    public async Task<Rows> ForPostAsync(string partition, IReadOnlyCollection<EventIdFingerprint> fingerprints, CancellationToken cancellationToken)
    {
        if (_cached.TryGetValue(partition, out var cached) && !fingerprints.Any(cached.Contains))
        {
            return cached;
        }
        var rows = await ReadAsync(partition, cancellationToken).ConfigureAwait(false);
        Keep(partition, rows);
        return rows;
    }

    /// <summary>
    /// The actions that add <paramref name="fresh"/> to <paramref name="rows"/>: each row that gains fingerprints,
    /// replaced if it was read (under its ETag), added if it did not exist. <see cref="Written"/> after the transaction.
    /// </summary>
    public static (List<TableTransactionAction> Actions, List<Row> Written) Extend(int userId, string partition, Rows rows, IEnumerable<EventIdFingerprint> fresh)
    {
        var actions = new List<TableTransactionAction>();
        var written = new List<Row>();
        foreach (var bucket in fresh.GroupBy(fingerprint => fingerprint.Bucket))
        {
            var read = rows.Get(bucket.Key);
            var fingerprints = (read?.Fingerprints ?? []).Concat(bucket).ToList();
            written.Add(new Row(bucket.Key, read?.ETag ?? default, [.. fingerprints]));
            var entity = new TableEntity(partition, RowPrefix + bucket.Key.ToString("D2", CultureInfo.InvariantCulture));
            foreach (var (part, chunk) in fingerprints.Chunk(FingerprintsPerProperty).Index())
            {
                var bytes = new byte[chunk.Length * EventIdFingerprint.Bytes];
                for (var i = 0; i < chunk.Length; i++)
                {
                    chunk[i].Write(bytes.AsSpan(i * EventIdFingerprint.Bytes, EventIdFingerprint.Bytes));
                }
                entity[FingerprintsProperty + part.ToString(CultureInfo.InvariantCulture)] = bytes;
            }
            actions.Add(read is null
                ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, read.ETag));
        }
        var indexed = written.Sum(row => row.Fingerprints.Count);
        if (indexed > MaxFingerprintsPerTransaction)
        {
            throw new InvalidOperationException(
                $"User {userId.ToString(CultureInfo.InvariantCulture)} has {indexed.ToString(CultureInfo.InvariantCulture)} eventIds in the index rows this post would rewrite, " +
                $"more than one Table Storage transaction (4 MiB) carries ({MaxFingerprintsPerTransaction.ToString(CultureInfo.InvariantCulture)}): post events of this user without eventIds.");
        }
        return (actions, written);
    }

    /// <summary>Keeps <paramref name="rows"/> with the <paramref name="written"/> ones under the ETags the transaction answered (<paramref name="responses"/>, in the order of the actions).</summary>
    public void Written(string partition, Rows rows, List<Row> written, IReadOnlyList<Response> responses)
    {
        var updated = new Dictionary<int, Row>(rows.ByBucket);
        for (var index = 0; index < written.Count; index++)
        {
            if (responses[index].Headers.ETag is not { } etag)
            {
                Forget(partition);
                return;
            }
            updated[written[index].Bucket] = written[index] with { ETag = etag };
        }
        Keep(partition, new Rows(updated));
    }

    public void Forget(string partition) => _cached.TryRemove(partition, out _);

    private void Keep(string partition, Rows rows)
    {
        if (rows.ByBucket.Values.Sum(row => row.Fingerprints.Count) > MaxCachedFingerprintsPerUser)
        {
            Forget(partition);
            return;
        }
        if (_cached.Count >= MaxCachedUsers)
        {
            _cached.Clear();
        }
        _cached[partition] = rows;
    }

    /// <summary>The user's index rows (one range query; the store has created the table before any post).</summary>
    private async Task<Rows> ReadAsync(string partition, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<int, Row>();
        var filter = $"PartitionKey eq '{partition}' and RowKey ge '{RowPrefix}' and RowKey lt '{RowEnd}'";
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: Buckets, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var fingerprints = new HashSet<EventIdFingerprint>();
            for (var part = 0; entity.GetBinary(FingerprintsProperty + part.ToString(CultureInfo.InvariantCulture)) is { } bytes; part++)
            {
                for (var offset = 0; offset + EventIdFingerprint.Bytes <= bytes.Length; offset += EventIdFingerprint.Bytes)
                {
                    fingerprints.Add(EventIdFingerprint.Read(bytes.AsSpan(offset, EventIdFingerprint.Bytes)));
                }
            }
            var bucket = ParseBucket(entity);
            rows[bucket] = new Row(bucket, entity.ETag, fingerprints);
        }
        return new Rows(rows);
    }

    private static int ParseBucket(TableEntity entity) =>
        int.TryParse(entity.RowKey.AsSpan(RowPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var bucket) && bucket < Buckets
            ? bucket
            : throw new InvalidDataException($"Row {entity.PartitionKey}/{entity.RowKey} is in the eventId index range but is not an index row.");

    /// <summary>An index row as read or written: its ETag (the condition of its replacement) and its fingerprints.</summary>
    public sealed record Row(int Bucket, ETag ETag, HashSet<EventIdFingerprint> Fingerprints);

    /// <summary>A user's index rows by bucket; never changed once built (instances share them through the cache).</summary>
    public sealed class Rows(IReadOnlyDictionary<int, Row> byBucket)
    {
        public static readonly Rows None = new(new Dictionary<int, Row>());

        public IReadOnlyDictionary<int, Row> ByBucket { get; } = byBucket;

        public Row? Get(int bucket) => ByBucket.GetValueOrDefault(bucket);

        public bool Contains(EventIdFingerprint fingerprint) => Get(fingerprint.Bucket) is { } row && row.Fingerprints.Contains(fingerprint);
    }
}

/// <summary>
/// The first 16 bytes of an eventId's SHA-256: a fixed size whatever the eventId's length (up to 128 characters),
/// and 2^-128 per pair of one user's eventIds that two distinct ones collide.
/// </summary>
internal readonly record struct EventIdFingerprint(ulong High, ulong Low)
{
    public const int Bytes = 16;

    public int Bucket => (int)(High >> 56) % EventIdIndex.Buckets;

    public static EventIdFingerprint Of(string eventId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(eventId), hash);
        return Read(hash[..Bytes]);
    }

    public static EventIdFingerprint Read(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));

    public void Write(Span<byte> bytes)
    {
        BinaryPrimitives.WriteUInt64BigEndian(bytes, High);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], Low);
    }
}
