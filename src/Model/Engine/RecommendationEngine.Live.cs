using System.Buffers;

namespace Recommender.Model.Engine;

public sealed partial class RecommendationEngine
{
    /// <summary>
    /// Recommendations for a user who did something after the model's data ended. A known user's history becomes the
    /// stored one followed by <paramref name="newMovieIds"/> (a movie watched again moves to its newest place, as a later
    /// duplicate wins in ingestion), the model reads its newest MaxHistory, and everything stored or new is seen
    /// (<see cref="RecommendationPath.Live"/>). A user the model never saw gets the session path over the new movies.
    /// Movies outside the catalogue are skipped; with none left, the answer is <see cref="RecommendForUser"/>'s.
    /// </summary>
    /// <param name="newMovieIds">The user's new movies, oldest first.</param>
    public RecommendationResult RecommendWithNewEvents(int userId, IReadOnlyList<int> newMovieIds, int count, RecommendationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(newMovieIds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        options ??= RecommendationOptions.Default;
        if (newMovieIds.Count == 0)
        {
            return RecommendForUser(userId, count, options);
        }
        var newItems = NewestDistinctItems(newMovieIds);
        if (newItems.Count == 0)
        {
            return RecommendForUser(userId, count, options);
        }
        if (!_userById.TryGetValue(userId, out var user))
        {
            var session = new List<int>(newItems.Count);
            foreach (var item in newItems)
            {
                session.Add(_content.Movies[item].MovieId);
            }
            return RecommendForHistory(session, count, options);
        }

        var stored = _content.History.Row(user);
        var storedSeen = _content.Seen.Row(user);
        var newSet = newItems.ToHashSet();
        var history = ArrayPool<int>.Shared.Rent(stored.Length + newItems.Count);
        var seen = ArrayPool<int>.Shared.Rent(storedSeen.Length + newItems.Count);
        try
        {
            var length = 0;
            foreach (var item in stored)
            {
                if (!newSet.Contains(item))
                {
                    history[length++] = item;
                }
            }
            newItems.CopyTo(history, length);
            length += newItems.Count;
            var recent = history.AsSpan(Math.Max(0, length - _content.MaxHistory), Math.Min(length, _content.MaxHistory));
            storedSeen.CopyTo(seen);
            newItems.CopyTo(seen, storedSeen.Length);

            Span<float> userVector = stackalloc float[_dim];
            ComputeUserVector(recent, _content.UserTable.AsSpan(user * _dim, _dim), userVector);
            return Rank(userVector, count, options, seen.AsSpan(0, storedSeen.Length + newItems.Count), RecommendationPath.Live);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(history);
            ArrayPool<int>.Shared.Return(seen);
        }
    }

    /// <summary>The catalogue items of <paramref name="movieIds"/> (oldest first), each once at its newest place.</summary>
    private List<int> NewestDistinctItems(IReadOnlyList<int> movieIds)
    {
        var items = new List<int>(movieIds.Count);
        var taken = new HashSet<int>();
        for (var position = movieIds.Count - 1; position >= 0; position--)
        {
            if (_itemByMovieId.TryGetValue(movieIds[position], out var item) && taken.Add(item))
            {
                items.Add(item);
            }
        }
        items.Reverse();
        return items;
    }
}
