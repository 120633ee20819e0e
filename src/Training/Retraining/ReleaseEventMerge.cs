using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Recommender.Model.Data;
using Recommender.Model.Events;
using Recommender.Training.Trainers;

namespace Recommender.Training.Retraining;

/// <summary>What merging the user events into a release did.</summary>
/// <param name="Read">Events read from the table.</param>
/// <param name="Used">Events that are in the merged data set (each the latest of its user and movie).</param>
/// <param name="UnknownMovies">Events whose movie the release's catalogue does not have (kept in the table for a later release).</param>
/// <param name="Superseded">Events replaced by a later rating of the same user and movie (in the release or among the events).</param>
public sealed record EventMergeResult(MovieLensDataset Dataset, int Read, int Used, int UnknownMovies, int Superseded);

/// <summary>
/// Adds the user events to a loaded release the way ingestion treats duplicates: per user and movie the latest
/// interaction wins (an event wins a tie with the release). New users and catalogue movies without ratings get new
/// indices; events of movies outside the catalogue are left out. An event without a rating gets the release's mean
/// rating on its scale (a watch counts as an average rating). The merged data set's fingerprint covers the events, so
/// its model version differs from the release's.
/// </summary>
public static class ReleaseEventMerge
{
    public static EventMergeResult Merge(MovieLensDataset release, IReadOnlyList<UserEvents> events)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentNullException.ThrowIfNull(events);
        var users = new IdIndex(release.Users.RawIds.ToArray());
        var items = new IdIndex(release.Items.RawIds.ToArray());
        var defaultRating = MeanRating(release);
        var latest = new Dictionary<long, (float Rating, long Timestamp, int UserId, int MovieId)>();
        int read = 0, unknown = 0;
        foreach (var user in events)
        {
            foreach (var userEvent in user.Events)
            {
                read++;
                if (!release.Movies.ContainsKey(userEvent.MovieId))
                {
                    unknown++;
                    continue;
                }
                var key = Key(users.GetOrAdd(user.UserId), items.GetOrAdd(userEvent.MovieId));
                var candidate = (OnScale(userEvent.Rating ?? defaultRating, release.Scale), userEvent.Timestamp.ToUnixTimeSeconds(), user.UserId, userEvent.MovieId);
                if (!latest.TryGetValue(key, out var kept) || kept.Timestamp < candidate.Item2)
                {
                    latest[key] = candidate;
                }
            }
        }

        var table = release.Interactions;
        var rowUsers = new List<int>(table.Count + latest.Count);
        var rowItems = new List<int>(table.Count + latest.Count);
        var rowRatings = new List<float>(table.Count + latest.Count);
        var rowTimestamps = new List<long>(table.Count + latest.Count);
        for (var row = 0; row < table.Count; row++)
        {
            var key = Key(table.Users[row], table.Items[row]);
            if (latest.TryGetValue(key, out var userEvent))
            {
                if (userEvent.Timestamp >= table.Timestamps[row])
                {
                    continue;
                }
                latest.Remove(key);
            }
            rowUsers.Add(table.Users[row]);
            rowItems.Add(table.Items[row]);
            rowRatings.Add(table.Ratings[row]);
            rowTimestamps.Add(table.Timestamps[row]);
        }
        if (latest.Count == 0)
        {
            return new EventMergeResult(release, read, 0, unknown, read - unknown);
        }

        using var fingerprint = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        fingerprint.AppendData(Encoding.UTF8.GetBytes(release.Fingerprint));
        foreach (var (key, userEvent) in latest.OrderBy(pair => pair.Key))
        {
            rowUsers.Add((int)(key >> 32));
            rowItems.Add((int)(key & uint.MaxValue));
            rowRatings.Add(userEvent.Rating);
            rowTimestamps.Add(userEvent.Timestamp);
            fingerprint.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $"\n{userEvent.UserId},{userEvent.MovieId},{userEvent.Rating},{userEvent.Timestamp}")));
        }
        var merged = new MovieLensDataset
        {
            Name = release.Name,
            Format = release.Format,
            Scale = release.Scale,
            Interactions = new InteractionTable([.. rowUsers], [.. rowItems], [.. rowRatings], [.. rowTimestamps], users.Count, items.Count),
            Users = users,
            Items = items,
            Movies = release.Movies,
            UserProfiles = release.UserProfiles,
            Tags = release.Tags,
            Fingerprint = Convert.ToHexStringLower(fingerprint.GetHashAndReset()),
            Report = release.Report,
        };
        return new EventMergeResult(merged, read, latest.Count, unknown, read - unknown - latest.Count);
    }

    private static long Key(int user, int item) => ((long)user << 32) | (uint)item;

    private static float MeanRating(MovieLensDataset release) =>
        release.Interactions.Ratings.IsEmpty ? release.Scale.Max : RatingBaselines.MeanRating(release.Interactions.Ratings);

    /// <summary>The nearest rating the release's scale has (events use half stars; ml-100k has whole ones).</summary>
    private static float OnScale(float rating, RatingScale scale) =>
        Math.Clamp(scale.Min + MathF.Round((rating - scale.Min) / scale.Step) * scale.Step, scale.Min, scale.Max);
}
