using System.Globalization;

namespace Recommender.Model.Events;

/// <summary>What a valid event is. Each check returns the problem, naming the field as the API reports it (events[3].rating), or null.</summary>
public static class UserEventRules
{
    public const int MaxEventsPerPost = 100;
    public const int MaxEventIdLength = 128;
    public const float MinRating = 0.5f;
    public const float MaxRating = 5f;

    /// <summary>How far in the future a timestamp may be (clocks of clients and servers differ).</summary>
    public static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>MovieLens' first ratings are from 1995; anything before the Unix epoch is a client bug.</summary>
    public static readonly DateTimeOffset EarliestTimestamp = DateTimeOffset.UnixEpoch;

    public static (string Field, string Problem)? Check(int index, int movieId, double? rating, DateTimeOffset? timestamp, string? eventId, DateTimeOffset now)
    {
        var field = $"events[{index.ToString(CultureInfo.InvariantCulture)}]";
        if (movieId <= 0)
        {
            return ($"{field}.movieId", $"{field}.movieId is {movieId.ToString(CultureInfo.InvariantCulture)}; movie ids are positive whole numbers.");
        }
        if (rating is { } value && !IsValidRating(value))
        {
            return ($"{field}.rating", $"{field}.rating is {value.ToString(CultureInfo.InvariantCulture)}; ratings go from {MinRating} to {MaxRating} in steps of 0.5.");
        }
        if (timestamp is { } time && (time < EarliestTimestamp || time > now + AllowedClockSkew))
        {
            return ($"{field}.timestamp", $"{field}.timestamp {time:o} is before 1970 or more than {AllowedClockSkew.TotalMinutes} minutes in the future.");
        }
        if (eventId is not null && !IsValidEventId(eventId))
        {
            return ($"{field}.eventId",
                $"{field}.eventId must be 1 to {MaxEventIdLength} characters of letters, digits, '-', '_', '.' and ':'.");
        }
        return null;
    }

    public static bool IsValidRating(double rating) =>
        rating is >= MinRating and <= MaxRating && Math.Abs(rating * 2 - Math.Round(rating * 2)) < 1e-9;

    /// <summary>A restricted alphabet: event ids become part of Table Storage row keys, which forbid '/', '\', '#', '?' and control characters.</summary>
    public static bool IsValidEventId(string eventId) =>
        eventId.Length is >= 1 and <= MaxEventIdLength
        && eventId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
