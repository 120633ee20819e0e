namespace Recommender.Model.Data;

/// <summary>A movie from the release's catalogue file.</summary>
public sealed record MovieInfo(int MovieId, string Title, int? Year, IReadOnlyList<string> Genres)
{
    /// <summary>IMDb number from links.csv (as in "tt0114709"), where the release has links.</summary>
    public int? ImdbId { get; init; }

    /// <summary>The Movie Database id from links.csv, where the release has one.</summary>
    public int? TmdbId { get; init; }
}

/// <summary>Demographics, where the release has them (ml-100k, ml-1m).</summary>
public sealed record UserProfile(int UserId, int? Age, string? Gender, string? Occupation, string? ZipCode);

/// <summary>The rating scale of a release: ml-latest uses half stars 0.5..5, ml-100k/1m whole stars 1..5.</summary>
public sealed record RatingScale(float Min, float Max, float Step)
{
    public static readonly RatingScale HalfStars = new(0.5f, 5f, 0.5f);
    public static readonly RatingScale WholeStars = new(1f, 5f, 1f);

    public bool Contains(float rating)
    {
        if (!(rating >= Min && rating <= Max))
        {
            return false;
        }
        var steps = (rating - Min) / Step;
        return Math.Abs(steps - MathF.Round(steps)) < 1e-4f;
    }

    /// <summary>The number of distinct ratings on the scale (10 for half stars, 5 for whole stars).</summary>
    public int StepCount => (int)MathF.Round((Max - Min) / Step) + 1;

    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Min}..{Max} in steps of {Step}");
}

/// <summary>
/// A loaded MovieLens release: interactions over dense user and item indices, the id maps,
/// movie metadata, user features and tags where present, and how the files were read.
/// </summary>
public sealed class MovieLensDataset
{
    public required string Name { get; init; }

    /// <summary>The release format that was detected (for example "ml-latest", "ml-100k", "ml-1m").</summary>
    public required string Format { get; init; }

    public required RatingScale Scale { get; init; }

    public required InteractionTable Interactions { get; init; }

    /// <summary>Raw userId ↔ dense user index.</summary>
    public required IdIndex Users { get; init; }

    /// <summary>Raw movieId ↔ dense item index; covers the movies that have at least one interaction.</summary>
    public required IdIndex Items { get; init; }

    /// <summary>Catalogue by raw movieId; may hold movies without interactions.</summary>
    public required IReadOnlyDictionary<int, MovieInfo> Movies { get; init; }

    /// <summary>Demographics by raw userId; empty when the release has none.</summary>
    public IReadOnlyDictionary<int, UserProfile> UserProfiles { get; init; } = new Dictionary<int, UserProfile>();

    /// <summary>Free-text tags by raw movieId (ml-latest tags.csv); empty when absent.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<string>> Tags { get; init; } = new Dictionary<int, IReadOnlyList<string>>();

    /// <summary>SHA-256 (hex) over the input files' names and bytes, in name order.</summary>
    public required string Fingerprint { get; init; }

    public required IngestionReport Report { get; init; }

    public MovieInfo? GetMovieByIndex(int itemIndex) =>
        Movies.TryGetValue(Items.GetRawId(itemIndex), out var movie) ? movie : null;
}
