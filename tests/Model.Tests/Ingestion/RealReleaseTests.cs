using System.IO.Compression;
using Recommender.Model.Data;

namespace Recommender.Model.Tests.Ingestion;

public class RealReleaseTests
{
    [MovieLensFact("ml-latest-small")]
    public void MlLatestSmall_HasTheDocumentedCounts()
    {
        var dataset = MovieLensReader.Load(MovieLensData.Release("ml-latest-small"));

        Assert.Equal("ml-latest-small", dataset.Name);
        Assert.Equal("ml-latest", dataset.Format);
        Assert.Equal(RatingScale.HalfStars, dataset.Scale);
        Assert.Equal(610, dataset.Users.Count);
        Assert.Equal(9724, dataset.Items.Count);
        Assert.Equal(100836, dataset.Interactions.Count);
        Assert.Equal(9742, dataset.Movies.Count);
        Assert.Equal(3683, dataset.Tags.Values.Sum(tags => tags.Count));
        Assert.Equal(1572, dataset.Tags.Count);
        // Half stars sum exactly in double, so the mean is one correctly rounded division.
        Approx.Equal(353_083.0 / 100_836, dataset.Interactions.Ratings.ToArray().Average(rating => (double)rating), rel: 1e-15, abs: 0, "mean rating");
        Assert.Equal(100836, dataset.Report.RowsRead);
        Assert.Equal(100836, dataset.Report.RowsKept);
        Assert.Equal(0, dataset.Report.RowsSkipped);
        Assert.Equal(0, dataset.Report.DuplicatesMerged);
        Assert.Equal(0, dataset.Report.ProblemCount);
        Assert.Matches("^[0-9a-f]{64}$", dataset.Fingerprint);
    }

    [MovieLensFact("ml-latest-small")]
    public void MlLatestSmall_FirstRowAndMovieMetadataAreRight()
    {
        var dataset = MovieLensReader.Load(MovieLensData.Release("ml-latest-small"));
        var interactions = dataset.Interactions;

        Assert.Equal(1, dataset.Users.GetRawId(interactions.Users[0]));
        Assert.Equal(1, dataset.Items.GetRawId(interactions.Items[0]));
        Assert.Equal(4.0f, interactions.Ratings[0]);
        Assert.Equal(964982703L, interactions.Timestamps[0]);

        Assert.Equal(new MovieInfo(1, "Toy Story", 1995, ["Adventure", "Animation", "Children", "Comedy", "Fantasy"]) { ImdbId = 114709, TmdbId = 862 },
            dataset.Movies[1], MovieInfoComparer.Instance);
        Assert.Equal(("American President, The", 1995), (dataset.Movies[11].Title, dataset.Movies[11].Year));
        Assert.Equal(("Seven (a.k.a. Se7en)", 1995), (dataset.Movies[47].Title, dataset.Movies[47].Year));
        Assert.Equal(("Misérables, Les", 1995), (dataset.Movies[73].Title, dataset.Movies[73].Year));
        Assert.Equal(("11'09\"01 - September 11", 2002), (dataset.Movies[7789].Title, dataset.Movies[7789].Year));
        Assert.Equal(("Babylon 5", (int?)null), (dataset.Movies[40697].Title, dataset.Movies[40697].Year));
        Assert.Equal(("From Dusk Till Dawn 2: Texas Blood Money", 1999), (dataset.Movies[27008].Title, dataset.Movies[27008].Year));
        Assert.Equal(("Death Note: Desu nôto", 2006), (dataset.Movies[171749].Title, dataset.Movies[171749].Year));
        Assert.Empty(dataset.Movies[143410].Genres);
        Assert.Null(dataset.Movies[791].TmdbId);
        Assert.Contains("\"artsy\"", dataset.Tags[4552]);
        Assert.Contains("funny", dataset.Tags[60756]);
    }

    [MovieLensFact("ml-100k")]
    public void Ml100K_HasCountsLatin1TitlesGenresAndDemographics()
    {
        var dataset = MovieLensReader.Load(MovieLensData.Release("ml-100k"));

        Assert.Equal("ml-100k", dataset.Format);
        Assert.Equal(RatingScale.WholeStars, dataset.Scale);
        Assert.Equal(943, dataset.Users.Count);
        Assert.Equal(1682, dataset.Items.Count);
        Assert.Equal(100000, dataset.Interactions.Count);
        Assert.Equal(1682, dataset.Movies.Count);
        Approx.Equal(352_986.0 / 100_000, dataset.Interactions.Ratings.ToArray().Average(rating => (double)rating), rel: 1e-15, abs: 0, "mean rating");
        Assert.Equal(196, dataset.Users.GetRawId(dataset.Interactions.Users[0]));
        Assert.Equal(242, dataset.Items.GetRawId(dataset.Interactions.Items[0]));
        Assert.Equal(881250949L, dataset.Interactions.Timestamps[0]);

        Assert.Equal(("Misérables, Les", 1995), (dataset.Movies[543].Title, dataset.Movies[543].Year));
        Assert.Equal(["Animation", "Children's", "Comedy"], dataset.Movies[1].Genres);
        Assert.Equal(("unknown", (int?)null), (dataset.Movies[267].Title, dataset.Movies[267].Year));
        Assert.Empty(dataset.Movies[267].Genres);
        Assert.Equal(943, dataset.UserProfiles.Count);
        Assert.Equal(new UserProfile(1, 24, "M", "technician", "85711"), dataset.UserProfiles[1]);
        Assert.Equal(new UserProfile(2, 53, "F", "other", "94043"), dataset.UserProfiles[2]);
    }

    [MovieLensFact("ml-1m")]
    public void Ml1M_WithoutRatingsDat_FailsWithMissingRatingsFile()
    {
        var error = Assert.Throws<IngestionException>(() => MovieLensReader.Load(MovieLensData.Release("ml-1m")));

        var problem = Assert.Single(error.Problems);
        Assert.Equal(ProblemReasons.MissingRatingsFile, problem.Reason);
        Assert.Contains("ratings.dat", error.Message);
        Assert.Contains("missing ratings file", error.Message);
        Assert.Contains("ml-1m", error.Message);
    }

    [MovieLensFact("ml-latest-small")]
    public void MlLatestSmall_FromZipWithTopLevelFolder_EqualsTheFolder()
    {
        using var temp = new TempFolder();
        var zipPath = temp.Sibling("ml-latest-small.zip");
        ZipFile.CreateFromDirectory(MovieLensData.Release("ml-latest-small"), zipPath, CompressionLevel.Fastest, includeBaseDirectory: true);

        var fromZip = MovieLensReader.Load(zipPath);
        var fromFolder = MovieLensReader.Load(MovieLensData.Release("ml-latest-small"));

        Assert.Equal("ml-latest-small", fromZip.Name);
        Assert.Equal(fromFolder.Fingerprint, fromZip.Fingerprint);
        Assert.Equal(fromFolder.Interactions.Count, fromZip.Interactions.Count);
        Assert.Equal(fromFolder.Movies.Count, fromZip.Movies.Count);
        Assert.Equal(fromFolder.Interactions.Timestamps.ToArray(), fromZip.Interactions.Timestamps.ToArray());
    }

    [MovieLensFact("ml-100k")]
    public void Ml100K_UDataAlone_LoadsAsSingleFile()
    {
        var dataset = MovieLensReader.Load(Path.Combine(MovieLensData.Release("ml-100k"), "u.data"));

        Assert.Equal("u.data", dataset.Name);
        Assert.Equal("ml-100k", dataset.Format);
        Assert.Equal(100000, dataset.Interactions.Count);
        Assert.Empty(dataset.Movies);
        Assert.Equal(["u.data"], dataset.Report.Files);
    }

    [MovieLensFact("ml-latest-small")]
    public void Summary_OfMlLatestSmall_MatchesTheRelease()
    {
        var summary = DatasetSummary.Create(MovieLensReader.Load(MovieLensData.Release("ml-latest-small")));

        Assert.Equal(610, summary.Users);
        Assert.Equal(9724, summary.ItemsRated);
        Assert.Equal(9742, summary.MoviesInCatalogue);
        Assert.Equal(18, summary.MoviesWithoutRatings);
        Assert.Equal(0, summary.RatedMoviesNotInCatalogue);
        Assert.Equal(100836, summary.Interactions);
        Assert.Equal([1370L, 2811, 1791, 7551, 5550, 20047, 13136, 26818, 8551, 13211], summary.RatingHistogram.Select(bucket => bucket.Count));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(828124615), summary.FirstRatingAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1537799250), summary.LastRatingAt);
        Assert.Equal(20, summary.MinRatingsPerUser);
        Assert.Equal(3683, summary.Tags);
        Approx.Equal(100836.0 / (610.0 * 9724.0), summary.Density, rel: 1e-15, abs: 0, "density");
    }

    private sealed class MovieInfoComparer : IEqualityComparer<MovieInfo>
    {
        public static readonly MovieInfoComparer Instance = new();

        public bool Equals(MovieInfo? x, MovieInfo? y) => x is not null && y is not null
            && (x.MovieId, x.Title, x.Year, x.ImdbId, x.TmdbId) == (y.MovieId, y.Title, y.Year, y.ImdbId, y.TmdbId)
            && x.Genres.SequenceEqual(y.Genres);

        public int GetHashCode(MovieInfo obj) => obj.MovieId;
    }
}
