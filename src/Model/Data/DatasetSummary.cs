using System.Globalization;

namespace Recommender.Model.Data;

/// <summary>How many ratings a data set holds for one value of its scale.</summary>
public sealed record RatingCount(float Rating, long Count);

/// <summary>The headline numbers of a loaded data set, as data (for tools) and as text lines (for people).</summary>
public sealed record DatasetSummary
{
    public required string Name { get; init; }
    public required string Format { get; init; }
    public required string Fingerprint { get; init; }

    /// <summary>Users with at least one rating.</summary>
    public required int Users { get; init; }

    /// <summary>Movies with at least one rating.</summary>
    public required int ItemsRated { get; init; }

    public required int MoviesInCatalogue { get; init; }

    /// <summary>Catalogue movies nobody rated.</summary>
    public required int MoviesWithoutRatings { get; init; }

    /// <summary>Rated movies the catalogue file does not list.</summary>
    public required int RatedMoviesNotInCatalogue { get; init; }

    public required int Interactions { get; init; }
    public required RatingScale Scale { get; init; }
    public required double MeanRating { get; init; }

    /// <summary>One entry per value of the scale, lowest first.</summary>
    public required IReadOnlyList<RatingCount> RatingHistogram { get; init; }

    public required DateTimeOffset? FirstRatingAt { get; init; }
    public required DateTimeOffset? LastRatingAt { get; init; }

    /// <summary>Interactions / (users × items rated).</summary>
    public required double Density { get; init; }

    public required int MinRatingsPerUser { get; init; }
    public required double MedianRatingsPerUser { get; init; }
    public required int MaxRatingsPerUser { get; init; }
    public required int MinRatingsPerItem { get; init; }
    public required double MedianRatingsPerItem { get; init; }
    public required int MaxRatingsPerItem { get; init; }
    public required int UsersWithProfiles { get; init; }
    public required int MoviesWithTags { get; init; }
    public required long Tags { get; init; }

    public static DatasetSummary Create(MovieLensDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var interactions = dataset.Interactions;
        var scale = dataset.Scale;
        var histogram = new long[scale.StepCount];
        double ratingSum = 0;
        foreach (var rating in interactions.Ratings)
        {
            ratingSum += rating;
            histogram[Math.Clamp((int)MathF.Round((rating - scale.Min) / scale.Step), 0, histogram.Length - 1)]++;
        }
        long? firstTimestamp = interactions.Count == 0 ? null : long.MaxValue;
        long? lastTimestamp = interactions.Count == 0 ? null : long.MinValue;
        foreach (var timestamp in interactions.Timestamps)
        {
            firstTimestamp = Math.Min(firstTimestamp!.Value, timestamp);
            lastTimestamp = Math.Max(lastTimestamp!.Value, timestamp);
        }
        var perUser = CountsPerIndex(interactions.Users, interactions.UserCount);
        var perItem = CountsPerIndex(interactions.Items, interactions.ItemCount);
        var ratedMovieIds = dataset.Items.RawIds;
        var ratedNotInCatalogue = 0;
        foreach (var movieId in ratedMovieIds)
        {
            if (!dataset.Movies.ContainsKey(movieId))
            {
                ratedNotInCatalogue++;
            }
        }
        var users = dataset.Users.Count;
        var items = dataset.Items.Count;
        return new DatasetSummary
        {
            Name = dataset.Name,
            Format = dataset.Format,
            Fingerprint = dataset.Fingerprint,
            Users = users,
            ItemsRated = items,
            MoviesInCatalogue = dataset.Movies.Count,
            MoviesWithoutRatings = dataset.Movies.Count - (items - ratedNotInCatalogue),
            RatedMoviesNotInCatalogue = ratedNotInCatalogue,
            Interactions = interactions.Count,
            Scale = scale,
            MeanRating = interactions.Count == 0 ? 0 : ratingSum / interactions.Count,
            RatingHistogram = [.. histogram.Select((count, step) => new RatingCount(scale.Min + step * scale.Step, count))],
            FirstRatingAt = firstTimestamp is { } first ? DateTimeOffset.FromUnixTimeSeconds(first) : null,
            LastRatingAt = lastTimestamp is { } last ? DateTimeOffset.FromUnixTimeSeconds(last) : null,
            Density = users == 0 || items == 0 ? 0 : interactions.Count / ((double)users * items),
            MinRatingsPerUser = perUser.Length == 0 ? 0 : perUser[0],
            MedianRatingsPerUser = Median(perUser),
            MaxRatingsPerUser = perUser.Length == 0 ? 0 : perUser[^1],
            MinRatingsPerItem = perItem.Length == 0 ? 0 : perItem[0],
            MedianRatingsPerItem = Median(perItem),
            MaxRatingsPerItem = perItem.Length == 0 ? 0 : perItem[^1],
            UsersWithProfiles = dataset.UserProfiles.Count,
            MoviesWithTags = dataset.Tags.Count,
            Tags = dataset.Tags.Values.Sum(tags => (long)tags.Count),
        };
    }

    public IReadOnlyList<string> ToLines()
    {
        var culture = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            $"Data set     {Name} ({Format}, fingerprint {Fingerprint[..Math.Min(12, Fingerprint.Length)]})",
            string.Create(culture, $"Users        {Users:N0} with ratings, {UsersWithProfiles:N0} with demographics"),
            string.Create(culture, $"Movies       {ItemsRated:N0} rated; {MoviesInCatalogue:N0} in the catalogue, {MoviesWithoutRatings:N0} of them unrated; {RatedMoviesNotInCatalogue:N0} rated but not in the catalogue"),
            string.Create(culture, $"Ratings      {Interactions:N0}, mean {MeanRating:F3} on the scale {Scale}"),
            string.Create(culture, $"Density      {Density:P3}"),
            string.Create(culture, $"Per user     min {MinRatingsPerUser:N0}, median {MedianRatingsPerUser:N1}, max {MaxRatingsPerUser:N0}"),
            string.Create(culture, $"Per movie    min {MinRatingsPerItem:N0}, median {MedianRatingsPerItem:N1}, max {MaxRatingsPerItem:N0}"),
            FirstRatingAt is { } first && LastRatingAt is { } last
                ? $"Time range   {first:yyyy-MM-dd HH:mm:ss} .. {last:yyyy-MM-dd HH:mm:ss} UTC"
                : "Time range   (no ratings)",
            string.Create(culture, $"Tags         {Tags:N0} on {MoviesWithTags:N0} movies"),
            "Histogram",
        };
        var largest = RatingHistogram.Count == 0 ? 0 : RatingHistogram.Max(bucket => bucket.Count);
        foreach (var bucket in RatingHistogram)
        {
            var share = Interactions == 0 ? 0 : (double)bucket.Count / Interactions;
            var bar = new string('#', largest == 0 ? 0 : (int)Math.Round(40.0 * bucket.Count / largest));
            lines.Add(string.Create(culture, $"  {bucket.Rating,4:0.0} {bucket.Count,12:N0} {share,7:P1} {bar}"));
        }
        return lines;
    }

    public override string ToString() => string.Join(Environment.NewLine, ToLines());

    /// <summary>Rows per index, sorted ascending.</summary>
    private static int[] CountsPerIndex(ReadOnlySpan<int> indices, int indexCount)
    {
        var counts = new int[indexCount];
        foreach (var index in indices)
        {
            counts[index]++;
        }
        Array.Sort(counts);
        return counts;
    }

    private static double Median(int[] sorted) => sorted.Length == 0
        ? 0
        : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2.0;
}
