using Recommender.Model.Data;

namespace Recommender.Model.Tests.Ingestion;

public class DatasetSummaryTests
{
    [Fact]
    public void Summary_CountsUsersItemsCatalogueHistogramAndTime()
    {
        using var temp = new TempFolder("tiny");
        temp.Write("ratings.csv", "userId,movieId,rating,timestamp\n1,10,4.0,86400\n1,20,0.5,100000\n2,10,5.0,200000\n2,99,4.0,300000\n3,10,4.0,0\n");
        temp.Write("movies.csv", "movieId,title,genres\n10,A (2000),Drama\n20,B (2001),Comedy\n30,C (2002),Comedy\n");

        var summary = DatasetSummary.Create(MovieLensReader.Load(temp.Folder));

        Assert.Equal(("tiny", "ml-latest"), (summary.Name, summary.Format));
        Assert.Equal((3, 3, 3, 5), (summary.Users, summary.ItemsRated, summary.MoviesInCatalogue, summary.Interactions));
        Assert.Equal((1, 1), (summary.MoviesWithoutRatings, summary.RatedMoviesNotInCatalogue));
        Approx.Equal(17.5 / 5, summary.MeanRating, rel: 1e-15, abs: 0, "mean rating");
        Assert.Equal([1L, 0, 0, 0, 0, 0, 0, 3, 0, 1], summary.RatingHistogram.Select(bucket => bucket.Count));
        Assert.Equal(0.5f, summary.RatingHistogram[0].Rating);
        Assert.Equal(DateTimeOffset.UnixEpoch, summary.FirstRatingAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(300000), summary.LastRatingAt);
        Approx.Equal(5.0 / 9.0, summary.Density, rel: 1e-15, abs: 0, "density");
        Assert.Equal((1, 2.0, 2), (summary.MinRatingsPerUser, summary.MedianRatingsPerUser, summary.MaxRatingsPerUser));
        Assert.Equal((1, 1.0, 3), (summary.MinRatingsPerItem, summary.MedianRatingsPerItem, summary.MaxRatingsPerItem));

        var lines = summary.ToLines();
        Assert.Contains(lines, line => line.StartsWith("Ratings      5, mean 3.500", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("Time range   1970-01-01 00:00:00 .. 1970-01-04 11:20:00", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("1 rated but not in the catalogue", StringComparison.Ordinal));
        Assert.Equal(string.Join(Environment.NewLine, lines), summary.ToString());
    }
}
