using Recommender.Model.Events;

namespace Recommender.Model.Tests.Events;

public class UserEventRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0.5, true)]
    [InlineData(5.0, true)]
    [InlineData(3.5, true)]
    [InlineData(4.3, false)]
    [InlineData(0.0, false)]
    [InlineData(5.5, false)]
    public void Ratings_AreHalfStarsFromHalfToFive(double rating, bool valid) =>
        Assert.Equal(valid, UserEventRules.Check(3, 1, rating, null, null, Now) is null);

    [Fact]
    public void EachProblem_NamesItsField()
    {
        Assert.Equal("events[3].rating", UserEventRules.Check(3, 1, 4.3, null, null, Now)?.Field);
        Assert.Equal("events[0].movieId", UserEventRules.Check(0, 0, null, null, null, Now)?.Field);
        Assert.Equal("events[2].timestamp", UserEventRules.Check(2, 1, null, Now.AddHours(1), null, Now)?.Field);
        Assert.Equal("events[2].timestamp", UserEventRules.Check(2, 1, null, new DateTimeOffset(1960, 1, 1, 0, 0, 0, TimeSpan.Zero), null, Now)?.Field);
        Assert.Equal("events[1].eventId", UserEventRules.Check(1, 1, null, null, "a/b", Now)?.Field);
        Assert.Equal("events[1].eventId", UserEventRules.Check(1, 1, null, null, new string('x', 129), Now)?.Field);
        Assert.Equal("events[1].eventId", UserEventRules.Check(1, 1, null, null, "", Now)?.Field);
        Assert.Null(UserEventRules.Check(1, 1, 4, Now.AddMinutes(4), "user-1:movie.5_x", Now));
    }
}
