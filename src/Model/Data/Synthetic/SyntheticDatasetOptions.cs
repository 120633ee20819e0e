namespace Recommender.Model.Data.Synthetic;

/// <summary>Size and shape of a synthetic MovieLens-like data set. The same options and seed give the same bytes.</summary>
public sealed record SyntheticDatasetOptions
{
    /// <summary>The sizes of ML-20M: 138,493 users, 27,278 movies, 20,000,263 ratings.</summary>
    public static SyntheticDatasetOptions Ml20MShaped { get; } = new() { Users = 138_493, Movies = 27_278, Ratings = 20_000_263 };

    /// <summary>The sizes of ml-latest-small: 610 users, 9,742 movies, 100,836 ratings.</summary>
    public static SyntheticDatasetOptions MlLatestSmallShaped { get; } = new() { Users = 610, Movies = 9_742, Ratings = 100_836 };

    public int Users { get; init; } = 1_000;

    /// <summary>Movies in the catalogue (movies.csv); the least popular may end up with no rating.</summary>
    public int Movies { get; init; } = 2_000;

    /// <summary>Rating rows, exactly; at least <see cref="MinRatingsPerUser"/> × <see cref="Users"/>.</summary>
    public int Ratings { get; init; } = 100_000;

    public int Seed { get; init; } = 42;

    /// <summary>Every user rates at least this many movies (20 in the MovieLens releases).</summary>
    public int MinRatingsPerUser { get; init; } = 20;

    /// <summary>
    /// Exponent s of the Zipf–Mandelbrot movie popularity: the movie of popularity rank r (from 1) is drawn with
    /// weight 1 / (r + q)^s. With the default offset q this gives ML-20M's shape on a 27K catalogue: the top movie
    /// rated by about half the users, a median of about 18 ratings per movie, a tail of a few.
    /// </summary>
    public double PopularityExponent { get; init; } = 2.0;

    /// <summary>Offset q of the popularity law (0 gives plain Zipf); it flattens the head so no movie is rated by everyone.</summary>
    public double PopularityOffset { get; init; } = 166;

    /// <summary>σ of the log-normal spread of per-user rating counts above the minimum.</summary>
    public double ActivitySpread { get; init; } = 1.2;

    public DateTimeOffset FirstRatingAt { get; init; } = new(1996, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public DateTimeOffset LastRatingAt { get; init; } = new(2018, 9, 30, 0, 0, 0, TimeSpan.Zero);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Users, 1, nameof(Users));
        ArgumentOutOfRangeException.ThrowIfLessThan(Movies, 1, nameof(Movies));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinRatingsPerUser, 1, nameof(MinRatingsPerUser));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MinRatingsPerUser, Movies, nameof(MinRatingsPerUser));
        ArgumentOutOfRangeException.ThrowIfLessThan(Ratings, (long)MinRatingsPerUser * Users, nameof(Ratings));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Ratings, (long)Users * Movies, nameof(Ratings));
        ArgumentOutOfRangeException.ThrowIfNegative(PopularityExponent, nameof(PopularityExponent));
        ArgumentOutOfRangeException.ThrowIfNegative(PopularityOffset, nameof(PopularityOffset));
        ArgumentOutOfRangeException.ThrowIfNegative(ActivitySpread, nameof(ActivitySpread));
        if (LastRatingAt - FirstRatingAt < TimeSpan.FromDays(1))
        {
            throw new ArgumentException("LastRatingAt must be at least a day after FirstRatingAt.", nameof(LastRatingAt));
        }
    }
}

/// <summary>Where a synthetic data set was written and what it holds.</summary>
public sealed record SyntheticDatasetFiles(string Folder, string RatingsPath, string MoviesPath, SyntheticDatasetOptions Options);
