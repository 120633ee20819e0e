using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace Recommender.Model.Events;

/// <summary>
/// Which users' events changed lately, so that an instance can keep a user's live history cached until it changes
/// instead of asking the user's partition again every second (<see cref="LiveUserHistory"/>). After a post or an
/// erasure has committed, the store adds a change row to the events table: partition "changes-" + the UTC minute, row
/// key the 19-digit ticks of its write + "-" + the user id + "-" + a random suffix, so that "every change since T" is
/// one range query over a minute or two of partitions. Change rows older than <see cref="Retention"/> are deleted by
/// every reader now and then; user partitions are numbers and change partitions are not, so neither kind of row is
/// read as the other.
/// </summary>
public sealed class UserEventChangeFeed(TableClient table, TimeProvider time)
{
    /// <summary>How long change rows are kept: far longer than any reader looks back.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(5);

    private const string PartitionPrefix = "changes-";
    private const string PartitionEnd = "changes.";
    private const string UserIdProperty = "UserId";
    private const string PartitionMinuteFormat = "yyyyMMddHHmm";

    private readonly Lock _gate = new();
    private List<int>? _waitingUsers;
    private TaskCompletionSource? _nextWrite;
    private bool _writing;

    /// <summary>
    /// Adds a change row for <paramref name="userId"/>, keyed by the time it is written, and completes once it has
    /// committed. Concurrent calls share a transaction (group commit): while one is being written, the users that
    /// arrive wait for the next, so a post costs a fraction of a request under load instead of a whole one.
    /// </summary>
    public Task PublishAsync(int userId, CancellationToken cancellationToken)
    {
        TaskCompletionSource written;
        bool startWriter;
        lock (_gate)
        {
            (_waitingUsers ??= []).Add(userId);
            written = _nextWrite ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            startWriter = !_writing;
            _writing = true;
        }
        if (startWriter)
        {
            _ = Task.Run(WriteWaitingAsync, CancellationToken.None);
        }
        return written.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes the waiting users' rows, a transaction per 100, until no user waits; the callers see its outcome.</summary>
    private async Task WriteWaitingAsync()
    {
        while (true)
        {
            HashSet<int> users;
            TaskCompletionSource written;
            lock (_gate)
            {
                if (_waitingUsers is null)
                {
                    _writing = false;
                    return;
                }
                users = [.. _waitingUsers];
                written = _nextWrite!;
                _waitingUsers = null;
                _nextWrite = null;
            }
            try
            {
                var now = time.GetUtcNow();
                foreach (var chunk in users.Chunk(100))
                {
                    if (chunk.Length == 1)
                    {
                        await table.AddEntityAsync(Row(now, chunk[0]), CancellationToken.None).ConfigureAwait(false);
                    }
                    else
                    {
                        await table.SubmitTransactionAsync(chunk.Select(userId => new TableTransactionAction(TableTransactionActionType.Add, Row(now, userId))), CancellationToken.None)
                            .ConfigureAwait(false);
                    }
                }
                written.SetResult();
            }
            catch (Exception error)
            {
                written.SetException(error);
            }
        }
    }

    private static TableEntity Row(DateTimeOffset now, int userId) =>
        new(Partition(now), $"{Ticks(now)}-{userId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..8]}")
        {
            [UserIdProperty] = userId,
        };

    /// <summary>The change rows keyed at or after <paramref name="since"/>, as (row key, user id, the key's ticks); none when the table does not exist yet.</summary>
    public async Task<List<(string Key, int UserId, long KeyTicks)>> ReadSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var filter = $"PartitionKey ge '{Partition(since)}' and PartitionKey lt '{PartitionEnd}' and RowKey ge '{Ticks(since)}'";
        var changes = new List<(string, int, long)>();
        await using var rows = table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, ["PartitionKey", "RowKey", UserIdProperty], cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (await UserEventStore.MoveNextOrEmptyAsync(rows).ConfigureAwait(false))
        {
            var row = rows.Current;
            var userId = row.GetInt32(UserIdProperty);
            if (userId is null || row.RowKey.Length < 19 || !long.TryParse(row.RowKey.AsSpan(0, 19), NumberStyles.None, CultureInfo.InvariantCulture, out var keyTicks))
            {
                throw new InvalidDataException($"Change row {row.PartitionKey}/{row.RowKey} of table {table.Name} has no {UserIdProperty} or a row key that does not start with 19 digits of ticks.");
            }
            changes.Add((row.RowKey, userId.Value, keyTicks));
        }
        return changes;
    }

    /// <summary>
    /// Deletes up to 1,000 change rows of the minutes before <paramref name="before"/> and returns how many. Readers
    /// delete concurrently: a batch another reader emptied first fails whole (404) and is left to it.
    /// </summary>
    public async Task<int> DeleteBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var filter = $"PartitionKey ge '{PartitionPrefix}' and PartitionKey lt '{Partition(before)}'";
        var rows = new List<TableEntity>();
        await using (var query = table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, ["PartitionKey", "RowKey"], cancellationToken).GetAsyncEnumerator(cancellationToken))
        {
            while (rows.Count < 1000 && await UserEventStore.MoveNextOrEmptyAsync(query).ConfigureAwait(false))
            {
                rows.Add(query.Current);
            }
        }
        var deleted = 0;
        foreach (var batch in rows.GroupBy(row => row.PartitionKey).SelectMany(partition => partition.Chunk(100)))
        {
            try
            {
                await table.SubmitTransactionAsync(batch.Select(row => new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All)), cancellationToken)
                    .ConfigureAwait(false);
                deleted += batch.Length;
            }
            catch (TableTransactionFailedException error) when (error.Status == 404)
            {
            }
        }
        return deleted;
    }

    private static string Partition(DateTimeOffset at) => PartitionPrefix + at.UtcDateTime.ToString(PartitionMinuteFormat, CultureInfo.InvariantCulture);

    private static string Ticks(DateTimeOffset at) => at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);
}
