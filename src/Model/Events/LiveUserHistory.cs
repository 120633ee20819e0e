using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Recommender.Model.Engine;
using Recommender.Model.Serving;
using Recommender.Model.Storage;

namespace Recommender.Model.Events;

/// <summary>
/// The movies of a user's events newer than the served model's data (<see cref="Bundle.BundleManifest.DataEndUtc"/>),
/// which <see cref="RecommendationEngine.RecommendWithNewEvents"/> adds to the model's history: at most one table query
/// per request, none while the user's are cached. The cache holds a user's new movies for <see cref="CacheLifetime"/> from the moment the query started,
/// and a post or erase in this process drops the user's entry at once, so an event is reflected within that lifetime
/// on other instances and at once on this one. While Table Storage cannot be reached, requests are answered from the
/// model alone and the table is not asked again for <see cref="OutagePause"/>.
/// </summary>
public sealed partial class LiveUserHistory(UserEventStore store, ILogger<LiveUserHistory> logger, TimeProvider? timeProvider = null)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan OutagePause = TimeSpan.FromSeconds(5);

    /// <summary>The newest events read per user: far more than the model's history, enough for the seen set.</summary>
    public const int MaxLiveEvents = 1000;

    /// <summary>Cached users beyond which the cache starts over (entries live half a second; this bounds memory).</summary>
    private const int MaxCachedUsers = 100_000;

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ConcurrentDictionary<int, CachedEvents> _cache = new();
    private long _pausedUntilTicks;

    /// <summary>Drops what is cached for the user; call after storing or erasing the user's events.</summary>
    public void Forget(int userId) => _cache.TryRemove(userId, out _);

    /// <summary>The user's movies after the model's data end, oldest first; empty when there are none or the table cannot be reached.</summary>
    public async ValueTask<int[]> NewMoviesAsync(ServedModel model, int userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var dataEnd = model.Manifest.DataEndUtc ?? DateTimeOffset.MinValue;
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(userId, out var cached) && cached.DataEnd == dataEnd && now - cached.ReadStartedAt < CacheLifetime)
        {
            return cached.MovieIds;
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
            if (_cache.Count >= MaxCachedUsers)
            {
                _cache.Clear();
            }
            _cache[userId] = new CachedEvents(dataEnd, now, movieIds);
            return movieIds;
        }
        catch (Exception error) when (StorageErrors.IsUnreachable(error))
        {
            Volatile.Write(ref _pausedUntilTicks, (now + OutagePause).UtcTicks);
            LogTableUnreachable(OutagePause.TotalSeconds, error);
            return [];
        }
    }

    private sealed record CachedEvents(DateTimeOffset DataEnd, DateTimeOffset ReadStartedAt, int[] MovieIds);

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "The user events table cannot be reached; recommendations come from the model alone for the next {PauseSeconds} s")]
    private partial void LogTableUnreachable(double pauseSeconds, Exception error);
}
