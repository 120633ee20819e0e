using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Recommender.Model.Engine;
using Recommender.Model.Storage;

namespace Recommender.Integration.Tests.Api;

/// <summary>The events routes and the live path over real HTTP through the local host, against Azurite's blob and table services.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class EventApiTests(AzuriteFixture azurite)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task PostedEvents_AreReflectedInTheNextRecommendation_Live_WithTheWatchedMoviesGone_AndDeleteErasesThem()
    {
        await using var serving = await StartAsync();
        using var engine = RecommendationEngine.Load(ApiBundles.V1);
        var user = engine.Bundle.Content.UserIds[0];
        var before = await RecommendationsAsync(serving, user);
        Assert.Equal("personalised", before.Path);
        var watched = before.Items.Take(2).Select(item => item.MovieId).ToArray();

        using var post = await PostAsync(serving, user,
            $$"""{"events":[{"movieId":{{watched[0]}},"rating":4.5,"eventId":"e1"},{"movieId":{{watched[1]}},"eventId":"e2"},{"movieId":987654}]}""");
        var accepted = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var answer = await post.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, answer.GetProperty("accepted").GetInt32());
        Assert.Equal(0, answer.GetProperty("duplicates").GetInt32());
        Assert.Equal([987654], answer.GetProperty("unknownMovies").EnumerateArray().Select(movie => movie.GetInt32()));

        var after = await RecommendationsAsync(serving, user);
        Assert.True(accepted.Elapsed < TimeSpan.FromSeconds(1), $"the live answer came {accepted.Elapsed.TotalMilliseconds} ms after the 202");
        Assert.Equal("live", after.Path);
        Assert.DoesNotContain(after.Items, item => watched.Contains(item.MovieId));
        var expected = engine.RecommendWithNewEvents(user, [watched[0], watched[1], 987654], 10);
        Assert.Equal(expected.Items.Select(item => item.MovieId), after.Items.Select(item => item.MovieId));

        using (var repeat = await PostAsync(serving, user, $$"""{"events":[{"movieId":{{watched[0]}},"eventId":"e1"}]}"""))
        {
            var repeated = await repeat.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((0, 1), (repeated.GetProperty("accepted").GetInt32(), repeated.GetProperty("duplicates").GetInt32()));
        }
        var listed = await serving.Client.GetFromJsonAsync<JsonElement>($"api/users/{user}/events?count=2");
        Assert.Equal(2, listed.GetProperty("events").GetArrayLength());

        using (var erase = await serving.Client.DeleteAsync($"api/users/{user}/events"))
        {
            Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
            Assert.Equal(3, (await erase.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deleted").GetInt32());
        }
        Assert.Equal("personalised", (await RecommendationsAsync(serving, user)).Path);
    }

    [Fact]
    public async Task AUserTheModelNeverSaw_WithEvents_GetsTheSessionPath()
    {
        await using var serving = await StartAsync();
        using var engine = RecommendationEngine.Load(ApiBundles.V1);
        var movie = engine.Bundle.Content.Movies[0].MovieId;
        const int newUser = 987_654_321;
        Assert.Equal("fallback", (await RecommendationsAsync(serving, newUser)).Path);

        using var post = await PostAsync(serving, newUser, $$"""{"events":[{"movieId":{{movie}}}]}""");
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);

        var answer = await RecommendationsAsync(serving, newUser);
        Assert.Equal("session", answer.Path);
        Assert.Equal(engine.RecommendForHistory([movie], 10).Items.Select(item => item.MovieId), answer.Items.Select(item => item.MovieId));
    }

    [Theory]
    [InlineData("""{"events":[{"movieId":1},{"movieId":2,"rating":4.3}]}""", "events[1].rating")]
    [InlineData("""{"events":[{"movieId":1,"rating":0}]}""", "events[0].rating")]
    [InlineData("""{"events":[{"movieId":-1}]}""", "events[0].movieId")]
    [InlineData("""{"events":[{"movieId":1,"eventId":"a/b"}]}""", "events[0].eventId")]
    [InlineData("""{"events":[{"movieId":1,"timestamp":"2999-01-01T00:00:00Z"}]}""", "events[0].timestamp")]
    [InlineData("""{"events":[]}""", "events")]
    [InlineData("""{"events":[{"movieId":1,"extra":2}]}""", "$.events[0].extra")]
    public async Task BadEvents_Answer400_NamingTheField(string body, string parameter)
    {
        await using var serving = await StartAsync();

        using var response = await PostAsync(serving, 1, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(parameter, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task MoreThan100Events_Answer400()
    {
        await using var serving = await StartAsync();
        var body = "{\"events\":[" + string.Join(",", Enumerable.Range(1, 101).Select(movie => $"{{\"movieId\":{movie}}}")) + "]}";

        using var response = await PostAsync(serving, 1, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("events", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task TableStorageUnreachable_PostAnswers503WithRetryAfter_AndRecommendationsAreStillServed()
    {
        var unreachableTable = azurite.ConnectionString.Replace($":{azurite.TablePort}/", $":{AzuriteFixture.FreeLoopbackPort()}/", StringComparison.Ordinal);
        await using var serving = await StartAsync(new Dictionary<string, string?> { [StorageSettingNames.ConnectionString] = unreachableTable });
        using var engine = RecommendationEngine.Load(ApiBundles.V1);
        var user = engine.Bundle.Content.UserIds[0];

        using var post = await PostAsync(serving, user, """{"events":[{"movieId":1,"eventId":"x"}]}""");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, post.StatusCode);
        Assert.True(post.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("urn:recommender:problem:storage-unavailable", (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        var answer = await RecommendationsAsync(serving, user);
        Assert.Equal("personalised", answer.Path);
        Assert.Equal(engine.RecommendForUser(user, 10).Items.Select(item => item.MovieId), answer.Items.Select(item => item.MovieId));
    }

    private async Task<ServingHost> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var overrides = new Dictionary<string, string?> { [StorageSettingNames.EventsTable] = "events" + Guid.NewGuid().ToString("N")[..12] };
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            overrides[name] = value;
        }
        var serving = await ServingHost.StartAsync(azurite, settings: overrides);
        await serving.PublishAsync(ApiBundles.V1);
        await serving.WaitForModelAsync(ApiBundles.VersionOf(ApiBundles.V1));
        return serving;
    }

    private static Task<HttpResponseMessage> PostAsync(ServingHost serving, int user, string body) =>
        serving.Client.PostAsync($"api/users/{user}/events", new StringContent(body, Encoding.UTF8, "application/json"));

    private static async Task<ApiRecommendations> RecommendationsAsync(ServingHost serving, int user) =>
        (await serving.Client.GetFromJsonAsync<ApiRecommendations>($"api/users/{user}/recommendations?count=10", Json))!;
}
