using Recommender.Model.Evaluation;

namespace Recommender.Model.Tests.Evaluation;

public class SessionSplitTests
{
    [Fact]
    public void Held_out_users_are_wholly_outside_training_and_their_last_movie_is_test()
    {
        // 40 users with 3..8 interactions, and one with 2 (never held out).
        var dataset = TestDatasets.WithUserCounts([.. Enumerable.Range(0, 40).Select(user => 3 + user % 6), 2]);
        var options = new SplitOptions { Session = new SessionSplitOptions { HeldOutShare = 0.1, MinHeldOutUsers = 5 } };

        var split = SplitProtocols.Create(SplitProtocols.Session, options).Split(dataset, seed: 7);

        var sessions = Assert.IsType<Recommender.Model.Data.InteractionTable>(split.Sessions);
        var heldOut = UsersOf(split.Test);
        Assert.Equal(5, heldOut.Count);
        Assert.Equal("5", split.Parameters["held_out_users"]);
        Assert.Equal("1", split.Parameters["users_only_in_train"]);
        Assert.Empty(heldOut.Intersect(UsersOf(split.Train)));
        Assert.Empty(heldOut.Intersect(UsersOf(split.Validation)));
        Assert.Equal(heldOut, UsersOf(sessions));
        Assert.Equal(dataset.Interactions.Count, split.Train.Count + split.Validation.Count + split.Test.Count + sessions.Count);
        // WithUserCounts rates movies 1..n in order, so the last movie of user u is n and every other user's is Validation.
        foreach (var (user, movie) in TestDatasets.Pairs(split.Test, dataset).Concat(TestDatasets.Pairs(split.Validation, dataset)))
        {
            Assert.Equal(3 + (user - 1) % 6, movie);
        }
        Assert.DoesNotContain(41, UsersOf(split.Validation).Select(dataset.Users.GetRawId));
    }

    [Fact]
    public void The_seed_chooses_the_held_out_users_and_the_same_seed_chooses_the_same()
    {
        var dataset = TestDatasets.WithUserCounts([.. Enumerable.Repeat(4, 200)]);
        var protocol = SplitProtocols.Create(SplitProtocols.Session);

        var first = UsersOf(protocol.Split(dataset, seed: 1).Test);
        var again = UsersOf(protocol.Split(dataset, seed: 1).Test);
        var other = UsersOf(protocol.Split(dataset, seed: 2).Test);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        // 10% of 200 is 20, below the minimum of 100 held-out users.
        Assert.Equal(100, first.Count);
    }

    [Fact]
    public void The_held_out_share_must_lie_between_zero_and_one()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SessionSplit(new SessionSplitOptions { HeldOutShare = 1 }, k: 10));
        Assert.Contains("HeldOutShare", error.Message);
    }

    [Fact]
    public void Each_held_out_user_is_ranked_from_their_session_in_time_order_with_the_session_excluded()
    {
        // User 1 watched 10, 20, 30 then 40; user 2 trains. Ties in time go by movie id, as in leave-one-out.
        var dataset = TestDatasets.Create(
        [
            new Rating(1, 30, 4, 300), new Rating(1, 10, 4, 100), new Rating(1, 20, 4, 300), new Rating(1, 40, 4, 400),
            new Rating(2, 10, 4, 1), new Rating(2, 20, 4, 2), new Rating(2, 50, 4, 3),
        ]);
        var options = new SplitOptions { Session = new SessionSplitOptions { HeldOutShare = 0.5, MinHeldOutUsers = 0 } };
        var split = SplitProtocols.Create(SplitProtocols.Session, options).Split(dataset, seed: 3);
        Assert.Equal([(1, 40)], TestDatasets.Pairs(split.Test, dataset));
        var recorder = new RecordingHistoryScorer(dataset.Items.Count, favourite: Index(dataset, 10));

        var scorer = SessionScorer.ForSplit(split, recorder, "recorder");
        var result = new RankingEvaluator().Evaluate(split, EvaluationTarget.Test, scorer, k: 2);

        Assert.Equal([10, 20, 30], recorder.Histories.Single().Select(dataset.Items.GetRawId));
        // Movie 10 scores highest but is in the session, so it is excluded like a known user's seen movies.
        var top = result.Recommendations.ItemsOf(0).ToArray().Select(dataset.Items.GetRawId);
        Assert.DoesNotContain(10, top);
        Assert.DoesNotContain(20, top);
    }

    [Fact]
    public void A_model_that_cannot_score_a_history_is_refused_by_name_under_the_session_protocol()
    {
        var dataset = TestDatasets.WithUserCounts(3, 3, 3);
        var split = SplitProtocols.Create(SplitProtocols.Session).Split(dataset, seed: 0);

        var error = Assert.Throws<ArgumentException>(() => SessionScorer.ForSplit(split, new MatrixScorer(new float[3, 3]), "bpr"));

        Assert.Contains("'bpr'", error.Message);
    }

    private static int Index(Recommender.Model.Data.MovieLensDataset dataset, int movieId) =>
        dataset.Items.TryGetIndex(movieId, out var item) ? item : throw new ArgumentException($"No movie {movieId}.");

    private static HashSet<int> UsersOf(Recommender.Model.Data.InteractionTable table) => [.. table.Users.ToArray()];

    /// <summary>Records the histories it is asked about; scores its favourite highest, then by item index.</summary>
    private sealed class RecordingHistoryScorer(int itemCount, int favourite) : IItemScorer, IHistoryScorer
    {
        public List<int[]> Histories { get; } = [];

        public int ItemCount => itemCount;

        public void ScoreUsers(ReadOnlySpan<int> users, Span<float> scores) => throw new InvalidOperationException("Sessions are scored by history.");

        public void ScoreHistory(ReadOnlySpan<int> history, Span<float> scores)
        {
            Histories.Add(history.ToArray());
            for (var item = 0; item < itemCount; item++)
            {
                scores[item] = item == favourite ? 100 : item;
            }
        }
    }
}
