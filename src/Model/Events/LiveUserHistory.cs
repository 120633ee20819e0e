using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Recommender.Model.Engine;
using Recommender.Model.Serving;
using Recommender.Model.Storage;

namespace Recommender.Model.Events;

/// <summary>
/// The movies of a user's events newer than the served model's data (<see cref="Bundle.BundleManifest.DataEndUtc"/>),
/// which <see cref="RecommendationEngine.RecommendWithNewEvents"/> adds to the model's history: at most one table query
/// per request. A user's entry is served for <see cref="CacheLifetime"/> from the moment its query started. A post or
/// erase in this process drops the user's entry at once, and no query that started before that can store its answer
/// afterwards: an event is reflected at once on this instance and within the lifetime on others. While Table Storage
/// cannot be reached, requests are answered from the model alone and the table is not asked again for
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

    public static readonly TimeSpan OutagePause = TimeSpan.FromSeconds(5);

    /// <summary>The newest events read per user: far more than the model's history, enough for the seen set.</summary>
    public const int MaxLiveEvents = 1000;

    /// <summary>Cached users beyond which the cache starts over (entries live under a second; this bounds memory).</summary>
    private const int MaxCachedUsers = 100_000;

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ConcurrentDictionary<int, CachedEvents> _cache = new();
    private long _pausedUntilTicks;

    /// <summary>Drops what is cached for the user; call after storing or erasing the user's events.</summary>
    public void Forget(int userId) => Store(userId, CachedEvents.Forgotten(_time.GetUtcNow()));

    /// <summary>The user's movies after the model's data end, oldest first; empty when there are none or the table cannot be reached.</summary>
    public async ValueTask<int[]> NewMoviesAsync(ServedModel model, int userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var dataEnd = model.Manifest.DataEndUtc ?? DateTimeOffset.MinValue;
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(userId, out var cached) && cached.MovieIds is { } cachedMovieIds && cached.DataEnd == dataEnd && now - cached.ReadStartedAt < CacheLifetime)
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

    /// <summary>
    /// A forget always replaces the entry; a query's answer only an entry that started before it, so that it never
    /// replaces a newer answer or a forget that came after the query started.
    /// </summary>
    private void Store(int userId, CachedEvents entry)
    {
        if (_cache.Count >= MaxCachedUsers)
        {
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
}
