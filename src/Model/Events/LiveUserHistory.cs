using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Recommender.Model.Engine;
using Recommender.Model.Serving;
using Recommender.Model.Storage;

namespace Recommender.Model.Events;

/// <summary>
/// The movies of a user's events newer than the served model's data (<see cref="Bundle.BundleManifest.DataEndUtc"/>),
/// which <see cref="RecommendationEngine.RecommendWithNewEvents"/> adds to the model's history: at most one table query
/// per request. A post or erase in this process drops the user's entry at once, and no query that started before that
/// can store its answer afterwards. Other instances' posts and erasures arrive through the change feed
/// (<see cref="UserEventChangeFeed"/>), which <see cref="RunChangePollingAsync"/> reads every <see cref="PollInterval"/>
/// and drops the changed users' entries the same way. An entry is served while it is younger than
/// <see cref="CacheLifetime"/>, or, while the last successful poll started less than <see cref="CacheLifetime"/> ago,
/// until <see cref="MaxTrustedAge"/>: either way an event whose 202 came a second ago is in the answer. While Table
/// Storage cannot be reached, requests are answered from the model alone and the table is not asked again for
/// <see cref="OutagePause"/>.
/// </summary>
public sealed partial class LiveUserHistory(UserEventStore store, ILogger<LiveUserHistory> logger, TimeProvider? timeProvider = null)
{
    /// <summary>
    /// An event whose 202 came at t is in every query started after t, so another instance reflects it by t plus this
    /// lifetime at the latest: 0.9 s keeps that within the promised second. Refreshing entries in the background
    /// before they expire was measured and rejected: on 2 cores shared with Azurite the extra queries raised the p99
    /// (http-load live, 8 clients: 22.7 ms → 40–48 ms).
    /// </summary>
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromMilliseconds(900);

    /// <summary>
    /// Between two reads of the change feed. Each is one range query over the last seconds' change rows (about four
    /// table transactions a second for each instance); per-user queries every <see cref="CacheLifetime"/> raised the
    /// live p99 on 2 cores shared with Azurite (http-load live, 8 clients) to 26 ms, against 7 ms without them.
    /// </summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The longest an entry is served while the change feed is read: it bounds how long other instances miss a post
    /// whose change row could not be written (<see cref="StoredEvents.ChangePublished"/>) or was written more than
    /// <see cref="ChangeLookBack"/> after its key.
    /// </summary>
    public static readonly TimeSpan MaxTrustedAge = TimeSpan.FromSeconds(30);

    /// <summary>How far before the last poll's start a poll reads: change rows commit after their key is taken, on another clock.</summary>
    public static readonly TimeSpan ChangeLookBack = TimeSpan.FromSeconds(10);

    /// <summary>How often an instance deletes change rows older than <see cref="UserEventChangeFeed.Retention"/>.</summary>
    private static readonly TimeSpan CleanupInterval = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan OutagePause = TimeSpan.FromSeconds(5);

    /// <summary>The newest events read per user: far more than the model's history, enough for the seen set.</summary>
    public const int MaxLiveEvents = 1000;

    /// <summary>Cached users beyond which the cache starts over (entries live under a second; this bounds memory).</summary>
    private const int MaxCachedUsers = 100_000;

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ConcurrentDictionary<int, CachedEvents> _cache = new();
    private long _pausedUntilTicks;

    /// <summary>Entries read before this are never trusted beyond <see cref="CacheLifetime"/>: the change feed is read from here on, and a cleared cache loses what it dropped.</summary>
    private long _trustedFromTicks = (timeProvider ?? TimeProvider.System).GetUtcNow().UtcTicks;

    /// <summary>When the last successful poll started (every change row committed before it has been applied); 0 before the first.</summary>
    private long _polledAtTicks;

    /// <summary>The change rows applied (by key, with their key's ticks) that a poll still reads, so that it does not drop an entry twice for one change.</summary>
    private readonly Dictionary<string, long> _appliedChanges = new(StringComparer.Ordinal);

    /// <summary>Drops what is cached for the user; call after storing or erasing the user's events.</summary>
    public void Forget(int userId) => Store(userId, CachedEvents.Forgotten(_time.GetUtcNow()));

    /// <summary>The user's movies after the model's data end, oldest first; empty when there are none or the table cannot be reached.</summary>
    public async ValueTask<int[]> NewMoviesAsync(ServedModel model, int userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var dataEnd = model.Manifest.DataEndUtc ?? DateTimeOffset.MinValue;
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(userId, out var cached) && cached.MovieIds is { } cachedMovieIds && cached.DataEnd == dataEnd && IsCurrent(cached, now))
        {
            return cachedMovieIds;
        }
        if (now.UtcTicks < Volatile.Read(ref _pausedUntilTicks))
        {
            return [];
        }
        try
        {
            var events = await store.GetAfterAsync(userId, dataEnd, MaxLiveEvents, cancellationToken).ConfigureAwait(false);
            var movieIds = new int[events.Count];
            for (var index = 0; index < events.Count; index++)
            {
                movieIds[events.Count - 1 - index] = events[index].MovieId;
            }
            Store(userId, new CachedEvents(dataEnd, now, movieIds));
            return movieIds;
        }
        catch (Exception error) when (StorageErrors.IsUnreachable(error))
        {
            Volatile.Write(ref _pausedUntilTicks, (now + OutagePause).UtcTicks);
            LogTableUnreachable(OutagePause.TotalSeconds, error);
            return [];
        }
    }

    /// <summary>Reads the change feed until <paramref name="cancellationToken"/> is cancelled (a hosted service runs it); an error pauses it, and entries fall back to <see cref="CacheLifetime"/>.</summary>
    public async Task RunChangePollingAsync(CancellationToken cancellationToken)
    {
        var nextCleanup = _time.GetUtcNow();
        var failing = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // A query of a table that does not exist yet answers 404, which the SDK logs as a warning every poll.
                await store.EnsureTableAsync(cancellationToken).ConfigureAwait(false);
                await PollChangesAsync(cancellationToken).ConfigureAwait(false);
                if (_time.GetUtcNow() >= nextCleanup)
                {
                    await store.Changes.DeleteBeforeAsync(_time.GetUtcNow() - UserEventChangeFeed.Retention, cancellationToken).ConfigureAwait(false);
                    nextCleanup = _time.GetUtcNow() + CleanupInterval;
                }
                if (failing)
                {
                    failing = false;
                    LogChangeFeedRecovered();
                }
                await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                if (!failing)
                {
                    failing = true;
                    LogChangeFeedFailed(OutagePause.TotalSeconds, error);
                }
                await Task.Delay(OutagePause, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Reads the change rows since the last successful poll (less <see cref="ChangeLookBack"/>) and drops the entries
    /// of the users they name; returns how many new rows it applied. One caller at a time (the poll loop, or a test).
    /// </summary>
    public async Task<int> PollChangesAsync(CancellationToken cancellationToken = default)
    {
        var started = _time.GetUtcNow();
        var polledAt = Volatile.Read(ref _polledAtTicks);
        var since = new DateTimeOffset(polledAt == 0 ? Volatile.Read(ref _trustedFromTicks) : polledAt, TimeSpan.Zero) - ChangeLookBack;
        var changes = await store.Changes.ReadSinceAsync(since, cancellationToken).ConfigureAwait(false);
        var applied = 0;
        foreach (var (key, userId, keyTicks) in changes)
        {
            if (_appliedChanges.TryAdd(key, keyTicks))
            {
                Forget(userId);
                applied++;
            }
        }
        foreach (var (key, keyTicks) in _appliedChanges)
        {
            if (keyTicks < since.UtcTicks)
            {
                _appliedChanges.Remove(key);
            }
        }
        Volatile.Write(ref _polledAtTicks, started.UtcTicks);
        return applied;
    }

    private bool IsCurrent(CachedEvents cached, DateTimeOffset now)
    {
        var age = now - cached.ReadStartedAt;
        return age < CacheLifetime
            || (age < MaxTrustedAge
                && cached.ReadStartedAt.UtcTicks >= Volatile.Read(ref _trustedFromTicks)
                && now.UtcTicks - Volatile.Read(ref _polledAtTicks) < CacheLifetime.Ticks);
    }

    /// <summary>
    /// A forget always replaces the entry; a query's answer only an entry that started before it, so that it never
    /// replaces a newer answer or a forget that came after the query started.
    /// </summary>
    private void Store(int userId, CachedEvents entry)
    {
        if (_cache.Count >= MaxCachedUsers)
        {
            Volatile.Write(ref _trustedFromTicks, _time.GetUtcNow().UtcTicks);
            _cache.Clear();
        }
        _cache.AddOrUpdate(userId, entry, (_, existing) => entry.MovieIds is null || entry.ReadStartedAt > existing.ReadStartedAt ? entry : existing);
    }

    /// <param name="MovieIds">Null for a forget: no query started before it may be stored.</param>
    private sealed record CachedEvents(DateTimeOffset DataEnd, DateTimeOffset ReadStartedAt, int[]? MovieIds)
    {
        public static CachedEvents Forgotten(DateTimeOffset at) => new(DateTimeOffset.MinValue, at, null);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "The user events table cannot be reached; recommendations come from the model alone for the next {PauseSeconds} s")]
    private partial void LogTableUnreachable(double pauseSeconds, Exception error);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "The user events change feed cannot be read; other instances' events reach this one within a second through per-user queries, the next read in {PauseSeconds} s")]
    private partial void LogChangeFeedFailed(double pauseSeconds, Exception error);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "The user events change feed is read again")]
    private partial void LogChangeFeedRecovered();
}
