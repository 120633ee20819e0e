using Recommender.Model.Data;
using Recommender.Model.Data.Synthetic;

namespace Recommender.Model.Tests.Ingestion;

public class SyntheticGeneratorTests
{
    private static readonly SyntheticDatasetOptions Small = new() { Users = 300, Movies = 800, Ratings = 30_000, Seed = 7, PopularityOffset = 10 };

    private static (byte[] Ratings, byte[] Movies) Generate(SyntheticDatasetOptions options)
    {
        var generator = new SyntheticMovieLensGenerator(options);
        using var ratings = new MemoryStream();
        using var movies = new MemoryStream();
        generator.WriteRatingsCsv(ratings);
        generator.WriteMoviesCsv(movies);
        return (ratings.ToArray(), movies.ToArray());
    }

    [Fact]
    public void SameSeed_GivesTheSameBytes_OtherSeed_Differs()
    {
        var first = Generate(Small);
        var again = Generate(Small);
        var other = Generate(Small with { Seed = 8 });

        Assert.Equal(first.Ratings, again.Ratings);
        Assert.Equal(first.Movies, again.Movies);
        Assert.NotEqual(first.Ratings, other.Ratings);
        Assert.NotEqual(first.Movies, other.Movies);
    }

    [Fact]
    public void WrittenFolder_LoadsWithTheRequestedShape()
    {
        using var temp = new TempFolder();
        var files = new SyntheticMovieLensGenerator(Small).WriteTo(temp.Folder);

        var dataset = MovieLensReader.Load(files.Folder);
        var table = dataset.Interactions;

        Assert.Equal(0, dataset.Report.ProblemCount);
        Assert.Equal(0, dataset.Report.DuplicatesMerged);
        Assert.Equal(Small.Ratings, table.Count);
        Assert.Equal(Small.Users, dataset.Users.Count);
        Assert.Equal(Small.Movies, dataset.Movies.Count);
        Assert.All(dataset.Items.RawIds.ToArray(), movieId => Assert.True(dataset.Movies.ContainsKey(movieId)));
        Assert.All(table.Ratings.ToArray(), rating => Assert.True(RatingScale.HalfStars.Contains(rating)));

        var perUser = new int[dataset.Users.Count];
        foreach (var user in table.Users)
        {
            perUser[user]++;
        }
        Assert.True(perUser.Min() >= Small.MinRatingsPerUser);
        Array.Sort(perUser);
        Assert.True(perUser[^1] > 4 * perUser[perUser.Length / 2], "per-user counts should be long-tailed");

        var perItem = new int[dataset.Items.Count];
        foreach (var item in table.Items)
        {
            perItem[item]++;
        }
        Array.Sort(perItem);
        Array.Reverse(perItem);
        var topTenthShare = perItem.Take(Small.Movies / 10).Sum() / (double)table.Count;
        Assert.True(topTenthShare > 0.35, $"the top 10% of movies should hold a large share of ratings, got {topTenthShare:P1}");

        var first = Small.FirstRatingAt.ToUnixTimeSeconds();
        var last = Small.LastRatingAt.ToUnixTimeSeconds();
        var halfStarsFrom = new DateTimeOffset(2003, 2, 18, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        for (var row = 0; row < table.Count; row++)
        {
            Assert.InRange(table.Timestamps[row], first, last);
            if (row > 0 && table.Users[row] == table.Users[row - 1])
            {
                Assert.True(table.Timestamps[row] > table.Timestamps[row - 1], $"row {row}: timestamps must increase per user");
            }
            if (table.Timestamps[row] < halfStarsFrom)
            {
                Assert.Equal(MathF.Round(table.Ratings[row]), table.Ratings[row]);
            }
        }
        var years = table.Timestamps.ToArray().Select(timestamp => DateTimeOffset.FromUnixTimeSeconds(timestamp).Year).Distinct().Count();
        Assert.True(years >= 15, $"ratings should spread over the years, got {years} distinct years");
        Assert.True(dataset.Movies.Values.Count(movie => movie.Year is not null) > Small.Movies * 9 / 10);
        Assert.True(dataset.Movies.Values.Count(movie => movie.Title.Contains(',')) > 0);
        Assert.True(dataset.Movies.Values.All(movie => movie.Genres.Count <= 4));
    }

    [Fact]
    public void RatingsPerUser_SumToTheTotalAndRespectTheBounds()
    {
        var options = new SyntheticDatasetOptions { Users = 50, Movies = 40, Ratings = 1_900, Seed = 3 };

        var counts = new SyntheticMovieLensGenerator(options).RatingsPerUser;

        Assert.Equal(options.Ratings, counts.Sum());
        Assert.All(counts, count => Assert.InRange(count, options.MinRatingsPerUser, options.Movies));
    }

    [Fact]
    public void UsersRatingMostOfTheCatalogue_StillGetDistinctMovies()
    {
        var options = new SyntheticDatasetOptions { Users = 3, Movies = 30, Ratings = 85, Seed = 5 };
        using var temp = new TempFolder();
        new SyntheticMovieLensGenerator(options).WriteTo(temp.Folder);

        var dataset = MovieLensReader.Load(temp.Folder);

        Assert.Equal((85, 0L), (dataset.Interactions.Count, dataset.Report.DuplicatesMerged));
    }

    [Theory]
    [InlineData(100, 50, 1_999)]
    [InlineData(2, 10, 21)]
    [InlineData(10, 10, 20_000)]
    public void ImpossibleSizes_AreRejected(int users, int movies, int ratings)
    {
        var options = new SyntheticDatasetOptions { Users = users, Movies = movies, Ratings = ratings };

        Assert.ThrowsAny<ArgumentException>(() => new SyntheticMovieLensGenerator(options));
    }
}
