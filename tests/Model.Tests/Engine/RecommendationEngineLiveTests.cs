using Recommender.Model.Engine;
using Recommender.Testing;

namespace Recommender.Model.Tests.Engine;

/// <summary>The live path: a known user's stored history plus the events newer than the model, or a session for a user the model never saw.</summary>
public class RecommendationEngineLiveTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private const int UnknownMovieId = int.MaxValue;

    private RecommendationEngine Engine => fixture.Engine;

    [Fact]
    public void KnownUser_WithNewEvents_ReadsTheStoredHistoryPlusTheEvents_AndLeavesOutEverythingWatched()
    {
        var user = Enumerable.Range(0, EngineFixture.Users).First(candidate => fixture.Data.History.Row(candidate).Length >= 5);
        var stored = fixture.Data.History.Row(user).ToArray();
        var seen = fixture.Data.Seen.Row(user).ToArray();
        var fresh = Enumerable.Range(0, EngineFixture.Movies).Where(item => !seen.Contains(item)).Take(3).ToArray();
        var rewatched = stored[1];
        // Oldest first: a fresh movie, the re-watched one, a movie outside the catalogue, two more fresh ones, and the first again.
        int[] newItems = [fresh[0], rewatched, fresh[1], fresh[2], fresh[0]];
        var newMovieIds = newItems.Select(fixture.MovieId).Append(UnknownMovieId).ToArray();

        var result = Engine.RecommendWithNewEvents(fixture.Data.UserIds[user], newMovieIds, 10);

        // A later event for the same movie wins: each movie once, at its newest place.
        int[] history = [.. stored.Where(item => item != rewatched), rewatched, fresh[1], fresh[2], fresh[0]];
        var vector = new float[EngineFixture.Dim];
        fixture.Model.Compute(history.TakeLast(EngineFixture.MaxHistory).ToArray(), fixture.Weights.UserTable.AsSpan(user * EngineFixture.Dim, EngineFixture.Dim), vector);
        var expected = fixture.Rank(vector, item => !seen.Contains(item) && !fresh.Contains(item), 10);
        Assert.Equal(RecommendationPath.Live, result.Path);
        Assert.False(result.FromPrecomputed);
        Assert.Equal(expected.Select(pair => fixture.MovieId(pair.Item)), result.Items.Select(movie => movie.MovieId));
        Approx.AllEqual([.. expected.Select(pair => pair.Score)], [.. result.Items.Select(movie => movie.Score)], rel: 0, abs: 1e-4, "live scores");
        Assert.NotEqual(Engine.RecommendForUser(fixture.Data.UserIds[user], 10).Items.Select(movie => movie.MovieId), result.Items.Select(movie => movie.MovieId));
    }

    [Fact]
    public void UnknownUser_WithNewEvents_GetsTheSessionOverThem()
    {
        int[] movieIds = [fixture.MovieId(3), UnknownMovieId, fixture.MovieId(7)];

        var result = Engine.RecommendWithNewEvents(userId: 999_999, movieIds, 10);

        Assert.Equal(RecommendationPath.Session, result.Path);
        Assert.Equal(Engine.RecommendForHistory([fixture.MovieId(3), fixture.MovieId(7)], 10), result, new ResultComparer());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NoEventsOrOnlyUnknownMovies_AnswerAsWithoutEvents(bool withUnknownMovie)
    {
        var userId = fixture.Data.UserIds[0];
        int[] movieIds = withUnknownMovie ? [UnknownMovieId] : [];

        var result = Engine.RecommendWithNewEvents(userId, movieIds, 10);

        Assert.Equal(Engine.RecommendForUser(userId, 10), result, new ResultComparer());
        Assert.True(result.FromPrecomputed);
    }

    private sealed class ResultComparer : IEqualityComparer<RecommendationResult>
    {
        public bool Equals(RecommendationResult? x, RecommendationResult? y) =>
            x is not null && y is not null && x.Path == y.Path && x.Items.SequenceEqual(y.Items);

        public int GetHashCode(RecommendationResult obj) => obj.Items.Count;
    }
}
