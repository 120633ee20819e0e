using Recommender.Model.Engine;

namespace Recommender.Model.Tests.Engine;

public class RecommendationEngineTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private RecommendationEngine Engine => fixture.Engine;

    private int UserId(int user) => fixture.Data.UserIds[user];

    private int[] Seen(int user) => fixture.Data.Seen.Row(user).ToArray();

    /// <summary>The first known user with a history of at least <paramref name="minLength"/> movies.</summary>
    private int UserWithHistory(int minLength = 2) =>
        Enumerable.Range(0, EngineFixture.Users).First(user => fixture.Data.History.Row(user).Length >= minLength);

    private static void AssertRanking((int Item, float Score)[] expected, RecommendationResult actual, Func<int, int> movieId)
    {
        Assert.Equal(expected.Select(pair => movieId(pair.Item)), actual.Items.Select(movie => movie.MovieId));
        Assert.Equal(Enumerable.Range(1, expected.Length), actual.Items.Select(movie => movie.Rank));
        // Expected scores are double-precision dot products (or cosines) with ONNX Runtime's user vector; the engine's
        // are float32 over D = 16 with its own user vector, which may differ by its 1e-5 acceptance tolerance.
        Approx.AllEqual([.. expected.Select(pair => pair.Score)], [.. actual.Items.Select(movie => movie.Score)], rel: 0, abs: 1e-4, $"scores of the {actual.Path} list");
    }

    [Fact]
    public void KnownUser_DefaultOptions_ServesThePrecomputedList()
    {
        var user = UserWithHistory();
        var result = Engine.RecommendForUser(UserId(user), 10);

        Assert.True(result.FromPrecomputed);
        Assert.Equal(RecommendationPath.Personalised, result.Path);
        Assert.Equal(Engine.ModelVersion, result.ModelVersion);
        Assert.Matches(@"^\d{8}T\d{9}Z-[0-9a-f]{8}$", result.ModelVersion);
        var expected = fixture.Rank(fixture.UserVector(user), item => !Seen(user).Contains(item), 10);
        AssertRanking(expected, result, fixture.MovieId);
    }

    [Fact]
    public void PrecomputedLists_MatchLiveScoringForEveryUser()
    {
        for (var user = 0; user < EngineFixture.Users; user++)
        {
            var precomputed = Engine.RecommendForUser(UserId(user), EngineFixture.Precomputed);
            // More than the precomputed count forces live scoring with the same (default) filters.
            var live = Engine.RecommendForUser(UserId(user), EngineFixture.Precomputed + 5);

            Assert.True(precomputed.FromPrecomputed);
            Assert.False(live.FromPrecomputed);
            Assert.Equal(live.Items.Take(EngineFixture.Precomputed).Select(movie => movie.MovieId), precomputed.Items.Select(movie => movie.MovieId));
            Approx.AllEqual([.. live.Items.Take(EngineFixture.Precomputed).Select(movie => movie.Score)], [.. precomputed.Items.Select(movie => movie.Score)], rel: 0, abs: 1e-5, "precomputed scores against live scoring");
            Assert.DoesNotContain(precomputed.Items, movie => Seen(user).Contains((movie.MovieId - 1) / 10));
        }
    }

    [Fact]
    public void KnownUser_WithFilters_ScoresLiveAndAppliesEveryFilter()
    {
        var user = UserWithHistory();
        var excludedItems = fixture.Rank(fixture.UserVector(user), item => !Seen(user).Contains(item), 3).Select(pair => pair.Item).ToArray();
        var options = new RecommendationOptions
        {
            ExcludeMovieIds = [.. excludedItems.Select(fixture.MovieId), 999_999],
            Genres = ["comedy", "Drama"],
            MinYear = 1950,
            MaxYear = 1990,
        };

        var result = Engine.RecommendForUser(UserId(user), 15, options);

        Assert.False(result.FromPrecomputed);
        Assert.Equal(RecommendationPath.Personalised, result.Path);
        bool Accept(int item)
        {
            var movie = fixture.Data.Movies[item];
            return !Seen(user).Contains(item) && !excludedItems.Contains(item)
                && movie.Genres.Any(genre => genre is "Comedy" or "Drama")
                && movie.Year is >= 1950 and <= 1990;
        }
        AssertRanking(fixture.Rank(fixture.UserVector(user), Accept, 15), result, fixture.MovieId);
        Assert.All(result.Items, movie => Assert.True(movie.Year is >= 1950 and <= 1990));
    }

    [Fact]
    public void KnownUser_IncludingSeen_RanksEverything()
    {
        var user = UserWithHistory();
        var result = Engine.RecommendForUser(UserId(user), 40, RecommendationOptions.Default with { ExcludeSeen = false });

        Assert.False(result.FromPrecomputed);
        AssertRanking(fixture.Rank(fixture.UserVector(user), _ => true, 40), result, fixture.MovieId);
    }

    [Fact]
    public void KnownUserWithEmptyHistory_UsesTheGraphEmbedding()
    {
        var user = Enumerable.Range(0, EngineFixture.Users).First(user => fixture.Data.History.Row(user).Length == 0);
        var graph = fixture.Weights.UserTable.AsSpan(user * EngineFixture.Dim, EngineFixture.Dim).ToArray();

        var result = Engine.RecommendForUser(UserId(user), 12, new RecommendationOptions { MinYear = 1900 });

        Assert.Equal(RecommendationPath.Personalised, result.Path);
        AssertRanking(fixture.Rank(graph, item => fixture.Data.Movies[item].Year is not null, 12), result, fixture.MovieId);
    }

    [Fact]
    public void UnknownUser_FallsBackToPopularity()
    {
        var result = Engine.RecommendForUser(-5, 10);

        Assert.Equal(RecommendationPath.Fallback, result.Path);
        Assert.False(result.FromPrecomputed);
        Assert.Equal(fixture.Data.PopularityItems.Take(10).Select(fixture.MovieId), result.Items.Select(movie => movie.MovieId));
        Assert.Equal(fixture.Data.PopularityScores.Take(10), result.Items.Select(movie => movie.Score));
    }

    [Fact]
    public void Fallback_AppliesFilters()
    {
        var excluded = fixture.MovieId(fixture.Data.PopularityItems[0]);
        var options = new RecommendationOptions { Genres = ["Western"], ExcludeMovieIds = [excluded] };

        var result = Engine.RecommendForHistory([], 5, options);

        Assert.Equal(RecommendationPath.Fallback, result.Path);
        var expected = fixture.Data.PopularityItems
            .Where(item => fixture.Data.Movies[item].Genres.Contains("Western") && fixture.MovieId(item) != excluded)
            .Take(5).Select(fixture.MovieId);
        Assert.Equal(expected, result.Items.Select(movie => movie.MovieId));
    }

    [Fact]
    public void SessionHistory_RunsTheModelOnTheMostRecentMovies()
    {
        var random = new Random(3);
        var items = Enumerable.Range(0, EngineFixture.MaxHistory + 7).Select(_ => random.Next(EngineFixture.Movies)).ToList();

        var result = Engine.RecommendForHistory(items.Select(fixture.MovieId).ToList(), 10);

        Assert.Equal(RecommendationPath.Session, result.Path);
        Assert.False(result.FromPrecomputed);
        // All given movies count as seen, including those older than the model's window.
        AssertRanking(fixture.Rank(fixture.SessionVector(items), item => !items.Contains(item), 10), result, fixture.MovieId);
        var withSeen = Engine.RecommendForHistory(items.Select(fixture.MovieId).ToList(), 10, new RecommendationOptions { ExcludeSeen = false });
        AssertRanking(fixture.Rank(fixture.SessionVector(items), _ => true, 10), withSeen, fixture.MovieId);
    }

    [Fact]
    public void SessionHistoryOfOneMovie_IsScored()
    {
        var result = Engine.RecommendForHistory([fixture.MovieId(17)], 5);

        Assert.Equal(RecommendationPath.Session, result.Path);
        AssertRanking(fixture.Rank(fixture.SessionVector([17]), item => item != 17, 5), result, fixture.MovieId);
    }

    [Fact]
    public void SessionHistory_WithUnknownMovie_IsRejectedNamingTheId()
    {
        var error = Assert.Throws<ArgumentException>(() => Engine.RecommendForHistory([fixture.MovieId(1), 424_242], 5));

        Assert.Contains("424242", error.Message);
        Assert.Equal("movieIds", error.ParamName);
    }

    [Fact]
    public void UnknownGenre_IsRejectedNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => Engine.RecommendForHistory([fixture.MovieId(1)], 5, new RecommendationOptions { Genres = ["Telenovela"] }));

        Assert.Contains("'Telenovela'", error.Message);
    }

    [Fact]
    public void SimilarMovies_RanksByCosineAndLeavesOutTheMovie()
    {
        const int item = 42;
        var table = fixture.Weights.MovieTable;
        double Cosine(int other)
        {
            double dot = 0, a = 0, b = 0;
            for (var d = 0; d < EngineFixture.Dim; d++)
            {
                dot += (double)table[item * EngineFixture.Dim + d] * table[other * EngineFixture.Dim + d];
                a += (double)table[item * EngineFixture.Dim + d] * table[item * EngineFixture.Dim + d];
                b += (double)table[other * EngineFixture.Dim + d] * table[other * EngineFixture.Dim + d];
            }
            return dot / Math.Sqrt(a * b);
        }
        var expected = Enumerable.Range(0, EngineFixture.Movies).Where(other => other != item)
            .Select(other => (Item: other, Score: (float)Cosine(other)))
            .OrderByDescending(pair => pair.Score).ThenBy(pair => pair.Item).Take(8).ToArray();

        var result = Engine.SimilarMovies(fixture.MovieId(item), 8);

        Assert.Equal(RecommendationPath.SimilarItems, result.Path);
        AssertRanking(expected, result, fixture.MovieId);
        Assert.All(result.Items, movie => Assert.InRange(movie.Score, -1f - 1e-5f, 1f + 1e-5f));
        Assert.Throws<ArgumentException>(() => Engine.SimilarMovies(-1, 8));
    }

    [Fact]
    public void Results_CarryCatalogueDetails()
    {
        var result = Engine.RecommendForUser(UserId(UserWithHistory()), 5);

        Assert.All(result.Items, movie =>
        {
            var entry = fixture.Data.Movies[(movie.MovieId - 1) / 10];
            Assert.Equal(entry.Title, movie.Title);
            Assert.Equal(entry.Year, movie.Year);
            Assert.Equal(entry.Genres, movie.Genres);
        });
    }

    [Fact]
    public void CountBeyondTheCatalogue_ReturnsEveryAcceptedMovie()
    {
        var result = Engine.RecommendForHistory([fixture.MovieId(3)], EngineFixture.Movies * 2, new RecommendationOptions { ExcludeSeen = false });

        Assert.Equal(EngineFixture.Movies, result.Items.Count);
        Assert.Equal(EngineFixture.Movies, result.Items.Select(movie => movie.MovieId).Distinct().Count());
    }

    [Fact]
    public void ConcurrentCalls_GiveTheSameAnswersAsSequentialOnes()
    {
        var random = new Random(9);
        var requests = Enumerable.Range(0, 400).Select(index => (Func<RecommendationResult>)((index % 4) switch
        {
            0 => () => Engine.RecommendForUser(UserId(index % EngineFixture.Users), 10),
            1 => () => Engine.RecommendForUser(UserId(index % EngineFixture.Users), 10, new RecommendationOptions { Genres = ["Drama"] }),
            2 => CreateSessionRequest(random),
            _ => () => Engine.SimilarMovies(fixture.MovieId(index % EngineFixture.Movies), 7),
        })).ToArray();

        var sequential = requests.Select(request => request()).ToArray();
        var concurrent = new RecommendationResult[requests.Length];
        Parallel.For(0, requests.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, index => concurrent[index] = requests[index]());

        for (var index = 0; index < requests.Length; index++)
        {
            Assert.Equal(sequential[index].Path, concurrent[index].Path);
            Assert.Equal(sequential[index].Items, concurrent[index].Items);
        }
    }

    private Func<RecommendationResult> CreateSessionRequest(Random random)
    {
        var history = Enumerable.Range(0, 1 + random.Next(30)).Select(_ => fixture.MovieId(random.Next(EngineFixture.Movies))).ToArray();
        return () => Engine.RecommendForHistory(history, 10);
    }
}
