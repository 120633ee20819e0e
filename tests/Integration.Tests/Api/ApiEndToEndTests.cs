using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Recommender.Functions;
using Recommender.Model.Engine;
using Recommender.Model.Serving;
using Microsoft.Extensions.DependencyInjection;

namespace Recommender.Integration.Tests.Api;

/// <summary>The HTTP API over real HTTP through the local host, against Azurite, compared with the engine called directly.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ApiEndToEndTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task EveryEndpoint_AnswersLikeTheEngine()
    {
        await using var serving = await ServingHost.StartAsync(azurite);
        await serving.PublishAsync(ApiBundles.V1);
        using var engine = RecommendationEngine.Load(ApiBundles.V1);
        var content = engine.Bundle.Content;
        await serving.WaitForModelAsync(engine.ModelVersion);

        using (var health = await serving.Anonymous.GetAsync("api/health"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal(engine.ModelVersion, health.Headers.GetValues("X-Model-Version").Single());
        }

        // A known user: the personalised list, distinct and unseen.
        var user = content.UserIds.Select((id, index) => (Id: id, Index: index)).First(pair => content.Seen.Row(pair.Index).Length > 3);
        var seen = content.Seen.Row(user.Index).ToArray().Select(item => content.Movies[item].MovieId).ToHashSet();
        var personal = await GetRecommendationsAsync(serving, $"api/users/{user.Id}/recommendations?count=15", engine.ModelVersion);
        AssertSame(engine.RecommendForUser(user.Id, 15), personal, "personalised");
        Assert.Equal(15, personal.Items.Select(movie => movie.MovieId).Distinct().Count());
        Assert.DoesNotContain(personal.Items, movie => seen.Contains(movie.MovieId));

        // Filters go through: genres (any case) and excludeSeen=false.
        var filtered = await GetRecommendationsAsync(serving, $"api/users/{user.Id}/recommendations?count=7&genres=drama,Comedy&excludeSeen=false", engine.ModelVersion);
        AssertSame(engine.RecommendForUser(user.Id, 7, new RecommendationOptions { Genres = ["drama", "Comedy"], ExcludeSeen = false }), filtered, "personalised");
        Assert.All(filtered.Items, movie => Assert.True(movie.Genres.Contains("Drama") || movie.Genres.Contains("Comedy")));

        // An unknown user: popularity, marked as the fallback.
        var unknown = await GetRecommendationsAsync(serving, "api/users/987654/recommendations", engine.ModelVersion);
        AssertSame(engine.RecommendForUser(987654, 10), unknown, "fallback");

        // A session: the LSTM over the posted history; the history and the exclusions are left out.
        int[] history = [.. content.Movies.Take(12).Select(movie => movie.MovieId)];
        int[] exclude = [content.Movies[50].MovieId, content.Movies[51].MovieId];
        using var posted = await serving.Client.PostAsJsonAsync("api/recommendations", new { history, count = 20, exclude });
        var session = await ReadRecommendationsAsync(posted, engine.ModelVersion);
        AssertSame(engine.RecommendForHistory(history, 20, new RecommendationOptions { ExcludeMovieIds = exclude }), session, "session");
        Assert.DoesNotContain(session.Items, movie => history.Contains(movie.MovieId) || exclude.Contains(movie.MovieId));

        // Similar movies: never the movie itself.
        var movieId = content.Movies[3].MovieId;
        var similar = await GetRecommendationsAsync(serving, $"api/movies/{movieId}/similar?count=5", engine.ModelVersion);
        AssertSame(engine.SimilarMovies(movieId, 5), similar, "similarItems");
        Assert.DoesNotContain(similar.Items, movie => movie.MovieId == movieId);

        // The model's description.
        var model = await serving.Client.GetFromJsonAsync<JsonElement>("api/model");
        Assert.Equal(engine.ModelVersion, model.GetProperty("modelVersion").GetString());
        Assert.Equal(content.DatasetFingerprint, model.GetProperty("datasetFingerprint").GetString());
        Assert.Equal(engine.Bundle.Manifest.CreatedUtc, model.GetProperty("trainedAt").GetDateTimeOffset());
        Assert.Equal(ApiBundles.Movies, model.GetProperty("movieCount").GetInt32());
        var sessionRuntime = model.GetProperty("sessionRuntime");
        Assert.Equal(engine.UserVectorRuntime.Runtime.ToString(), sessionRuntime.GetProperty("runtime").GetString());
        Assert.Contains("ONNX Runtime", sessionRuntime.GetProperty("description").GetString());

        // The OpenAPI document lists exactly the routes the host serves.
        var openApi = await serving.Client.GetFromJsonAsync<JsonElement>("api/openapi.json");
        var documented = openApi.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(method => $"{method.Name.ToUpperInvariant()} {path.Name}")).Order().ToList();
        var served = serving.Host.HttpFunctions
            .SelectMany(function => function.Methods.Select(method => $"{method} /{HttpRoutePrefix.Combine(serving.Host.RoutePrefix, function.Route)}")).Order().ToList();
        Assert.Equal(served, documented);

        // Function-level routes need the key; health does not.
        using var withoutKey = await serving.Anonymous.GetAsync($"api/users/{user.Id}/recommendations");
        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
        using var keyInQuery = await serving.Anonymous.GetAsync($"api/movies/{movieId}/similar?code={serving.Host.FunctionKey}");
        Assert.Equal(HttpStatusCode.OK, keyInQuery.StatusCode);
    }

    [Fact]
    public async Task BeforeTheFirstPublish_503WithRetryAfter_ThenTheModelIsServed()
    {
        await using var serving = await ServingHost.StartAsync(azurite);

        using (var health = await serving.Anonymous.GetAsync("api/health"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.NotNull(health.Headers.RetryAfter);
            Assert.Equal("application/problem+json", health.Content.Headers.ContentType?.MediaType);
        }
        using (var recommendations = await serving.Client.GetAsync("api/users/1/recommendations"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, recommendations.StatusCode);
            Assert.True(recommendations.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        }

        await serving.PublishAsync(ApiBundles.V1);
        await serving.WaitForModelAsync(ApiBundles.VersionOf(ApiBundles.V1));
        using var healthy = await serving.Anonymous.GetAsync("api/health");
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
    }

    [Fact]
    public async Task ConcurrentFirstRequests_ShareOneBundleLoad()
    {
        await using var serving = await ServingHost.StartAsync(azurite, refreshSeconds: 60);
        await serving.PublishAsync(ApiBundles.V1);

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => serving.Client.GetAsync("api/movies/1/similar")));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        Assert.Equal(1, serving.Host.Services.GetRequiredService<ModelProvider>().LoadAttempts);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task ANewPublish_IsServedWithoutRestart_AndACorruptedOneLeavesTheOldServing()
    {
        await using var serving = await ServingHost.StartAsync(azurite);
        await serving.PublishAsync(ApiBundles.V1);
        await serving.WaitForModelAsync(ApiBundles.VersionOf(ApiBundles.V1));

        await serving.PublishAsync(ApiBundles.V2);
        using var engine = RecommendationEngine.Load(ApiBundles.V2);
        await serving.WaitForModelAsync(engine.ModelVersion);
        var userId = engine.Bundle.Content.UserIds[5];
        var after = await GetRecommendationsAsync(serving, $"api/users/{userId}/recommendations", engine.ModelVersion);
        AssertSame(engine.RecommendForUser(userId, 10), after, "personalised");

        var provider = serving.Host.Services.GetRequiredService<ModelProvider>();
        var attempts = provider.LoadAttempts;
        await serving.PublishAsync(ApiBundles.Corrupted(ApiBundles.V1, _temp.Path));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (provider.LoadAttempts == attempts && DateTime.UtcNow < deadline)
        {
            // Checks are driven by requests.
            (await serving.Anonymous.GetAsync("api/health")).Dispose();
            await Task.Delay(50);
        }
        Assert.Equal(attempts + 1, provider.LoadAttempts);
        // Let a few more checks pass: the broken version is not retried, the old one keeps serving.
        for (var check = 0; check < 6; check++)
        {
            (await serving.Anonymous.GetAsync("api/health")).Dispose();
            await Task.Delay(100);
        }
        Assert.Equal(attempts + 1, provider.LoadAttempts);
        var still = await GetRecommendationsAsync(serving, $"api/users/{userId}/recommendations", engine.ModelVersion);
        AssertSame(engine.RecommendForUser(userId, 10), still, "personalised");
        var model = await serving.Client.GetFromJsonAsync<JsonElement>("api/model");
        Assert.Equal(engine.ModelVersion, model.GetProperty("modelVersion").GetString());
    }

    /// <summary>(method, path, content type, body, status, problem type suffix, parameter) per malformed request.</summary>
    public static IEnumerable<(string Method, string Path, string? ContentType, string? Body, int Status, string? Problem, string? Parameter)> BadRequests()
    {
        const string json = "application/json";
        yield return ("GET", "api/users/abc/recommendations", null, null, 400, "invalid-parameter", "userId");
        yield return ("GET", "api/users/-3/recommendations", null, null, 400, "invalid-parameter", "userId");
        yield return ("GET", "api/users/0/recommendations", null, null, 400, "invalid-parameter", "userId");
        yield return ("GET", "api/users/1e3/recommendations", null, null, 400, "invalid-parameter", "userId");
        yield return ("GET", "api/users/99999999999/recommendations", null, null, 400, "invalid-parameter", "userId");
        yield return ("GET", "api/users/1/recommendations?count=0", null, null, 400, "invalid-parameter", "count");
        yield return ("GET", "api/users/1/recommendations?count=101", null, null, 400, "invalid-parameter", "count");
        yield return ("GET", "api/users/1/recommendations?count=ten", null, null, 400, "invalid-parameter", "count");
        yield return ("GET", "api/users/1/recommendations?count=1&count=2", null, null, 400, "invalid-parameter", "count");
        yield return ("GET", "api/users/1/recommendations?genres=Drama,,Comedy", null, null, 400, "invalid-parameter", "genres");
        yield return ("GET", "api/users/1/recommendations?genres=Polka", null, null, 400, "invalid-parameter", "genres");
        yield return ("GET", "api/users/1/recommendations?excludeSeen=maybe", null, null, 400, "invalid-parameter", "excludeSeen");
        yield return ("GET", "api/movies/x1/similar", null, null, 400, "invalid-parameter", "movieId");
        yield return ("GET", "api/movies/999999/similar", null, null, 404, "unknown-movie", "movieId");
        yield return ("GET", "api/movies/1/similar?count=500", null, null, 400, "invalid-parameter", "count");
        yield return ("POST", "api/recommendations", "text/plain", """{"history":[1]}""", 415, "unsupported-media-type", "Content-Type");
        yield return ("POST", "api/recommendations", null, """{"history":[1]}""", 415, "unsupported-media-type", "Content-Type");
        yield return ("POST", "api/recommendations", json, "", 400, "invalid-body", null);
        yield return ("POST", "api/recommendations", json, "{\"history\":[1,", 400, "invalid-body", null);
        yield return ("POST", "api/recommendations", json, "null", 400, "invalid-body", null);
        yield return ("POST", "api/recommendations", json, "[1,2]", 400, "invalid-body", null);
        yield return ("POST", "api/recommendations", json, "{}", 400, "invalid-body", null);
        yield return ("POST", "api/recommendations", json, """{"history":"1,2"}""", 400, "invalid-body", "$.history");
        yield return ("POST", "api/recommendations", json, """{"history":["1"]}""", 400, "invalid-body", "$.history[0]");
        yield return ("POST", "api/recommendations", json, """{"history":[1.5]}""", 400, "invalid-body", "$.history[0]");
        yield return ("POST", "api/recommendations", json, """{"history":[1],"histroy":[2]}""", 400, "invalid-body", null);
        yield return ("POST", "api/recommendations", json, """{"history":[0]}""", 400, "invalid-body", "history[0]");
        yield return ("POST", "api/recommendations", json, """{"history":[1,999999]}""", 404, "unknown-movie", "history[1]");
        yield return ("POST", "api/recommendations", json, """{"history":[1],"count":0}""", 400, "invalid-parameter", "count");
        yield return ("POST", "api/recommendations", json, """{"history":[1],"count":1000}""", 400, "invalid-parameter", "count");
        yield return ("POST", "api/recommendations", json, """{"history":[1],"genres":[""]}""", 400, "invalid-parameter", "genres");
        yield return ("POST", "api/recommendations", json, """{"history":[1],"genres":["Polka"]}""", 400, "invalid-parameter", "genres");
        yield return ("POST", "api/recommendations", json, $$"""{"history":[{{string.Join(",", Enumerable.Repeat(1, 501))}}]}""", 400, "invalid-body", "history");
        yield return ("POST", "api/recommendations", json, $$"""{"history":[1],"exclude":[{{string.Join(",", Enumerable.Repeat(1, 501))}}]}""", 400, "invalid-body", "exclude");
        yield return ("POST", "api/recommendations", json, $$"""{"history":[1],"genres":["{{new string('x', 70_000)}}"]}""", 400, "payload-too-large", "body");
        yield return ("PUT", "api/recommendations", json, """{"history":[1]}""", 405, null, null);
    }

    [Fact]
    public async Task MalformedRequests_GetTheSpecifiedProblem()
    {
        await using var serving = await ServingHost.StartAsync(azurite);
        await serving.PublishAsync(ApiBundles.V1);
        await serving.WaitForModelAsync(ApiBundles.VersionOf(ApiBundles.V1));
        var failures = new List<string>();

        foreach (var (method, path, contentType, body, status, problem, parameter) in BadRequests())
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
                if (contentType is not null)
                {
                    request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
                }
            }
            using var response = await serving.Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var label = $"{method} {path[..Math.Min(path.Length, 60)]} {body?[..Math.Min(body.Length, 40)]}";
            if ((int)response.StatusCode != status)
            {
                failures.Add($"{label}: status {(int)response.StatusCode}, expected {status}: {text}");
                continue;
            }
            if (problem is null)
            {
                continue;
            }
            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                failures.Add($"{label}: content type {response.Content.Headers.ContentType}");
                continue;
            }
            var details = JsonSerializer.Deserialize<JsonElement>(text);
            var actualParameter = details.TryGetProperty("parameter", out var named) ? named.GetString() : null;
            if (details.GetProperty("type").GetString() != "urn:recommender:problem:" + problem
                || details.GetProperty("status").GetInt32() != status
                || string.IsNullOrEmpty(details.GetProperty("title").GetString())
                || string.IsNullOrEmpty(details.GetProperty("detail").GetString())
                || (parameter is not null && actualParameter != parameter))
            {
                failures.Add($"{label}: {text}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private static async Task<ApiRecommendations> GetRecommendationsAsync(ServingHost serving, string path, string modelVersion)
    {
        using var response = await serving.Client.GetAsync(path);
        return await ReadRecommendationsAsync(response, modelVersion);
    }

    private static async Task<ApiRecommendations> ReadRecommendationsAsync(HttpResponseMessage response, string modelVersion)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        Assert.Equal(modelVersion, response.Headers.GetValues("X-Model-Version").Single());
        var result = JsonSerializer.Deserialize<ApiRecommendations>(text, Json)!;
        Assert.Equal(modelVersion, result.ModelVersion);
        return result;
    }

    private static void AssertSame(RecommendationResult expected, ApiRecommendations actual, string path)
    {
        Assert.Equal(path, actual.Path);
        Assert.NotEmpty(actual.Items);
        Assert.Equal(expected.Items.Select(movie => (movie.Rank, movie.MovieId, movie.Title, movie.Year)), actual.Items.Select(movie => (movie.Rank, movie.MovieId, movie.Title, movie.Year)));
        Assert.Equal(expected.Items.Select(movie => movie.Score), actual.Items.Select(movie => movie.Score));
        Assert.Equal(expected.Items.Select(movie => string.Join('|', movie.Genres)), actual.Items.Select(movie => string.Join('|', movie.Genres)));
    }
}
