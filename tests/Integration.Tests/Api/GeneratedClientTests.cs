using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recommender.Functions;
using Recommender.Integration.Tests.Api.Client;
using Recommender.LocalHost;
using Recommender.Model.Engine;
using Recommender.Model.Retraining;
using Recommender.Model.Storage;
using ApiProblems = Recommender.Functions.Api.ApiProblems;

namespace Recommender.Integration.Tests.Api;

/// <summary>
/// The local host through the client NSwag generates from docs/openapi.json at build time (see the project file):
/// every route answers as the document says, in the types it names.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class GeneratedClientTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task EveryRoute_AnswersAsTheDocumentSays()
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var runsContainer = "runs-" + suffix;
        await using var serving = await ServingHost.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            [StorageSettingNames.DataContainer] = "data-" + suffix,
            [StorageSettingNames.RunsContainer] = runsContainer,
            [StorageSettingNames.EventsTable] = "events" + suffix,
            [RetrainSettingNames.WorkFolder] = _temp.Path,
        });
        using var requests = new RequestRecorder(new HttpClientHandler());
        using var http = new HttpClient(requests) { BaseAddress = serving.Host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add(LocalFunctionHost.FunctionKeyHeader, serving.Host.FunctionKey);
        var client = new RecommenderApiClient(http);

        // Before the first publish: 503 with Retry-After, as problem details.
        var unavailable = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => client.HealthAsync());
        Assert.Equal(503, unavailable.StatusCode);
        Assert.Equal(ApiProblems.ModelUnavailableType, unavailable.Result.Type);
        Assert.True(unavailable.Headers.ContainsKey("Retry-After"));

        await serving.PublishAsync(ApiBundles.V1);
        using var engine = RecommendationEngine.Load(ApiBundles.V1);
        var content = engine.Bundle.Content;
        await serving.WaitForModelAsync(engine.ModelVersion);

        var health = await client.HealthAsync();
        Assert.Equal(("healthy", engine.ModelVersion), (health.Status, health.ModelVersion));

        var model = await client.ModelInfoAsync();
        Assert.Equal(engine.ModelVersion, model.ModelVersion);
        Assert.Equal(engine.Bundle.Manifest.CreatedUtc, model.TrainedAt);
        Assert.Equal(ApiBundles.Movies, model.MovieCount);
        Assert.Equal(engine.UserVectorRuntime.Runtime.ToString(), model.SessionRuntime.Runtime);

        var userId = content.UserIds[0];
        var personal = await client.UserRecommendationsAsync(userId, 5, "Drama,Comedy", false);
        AssertSame(engine.RecommendForUser(userId, 5, new RecommendationOptions { Genres = ["Drama", "Comedy"], ExcludeSeen = false }), personal);

        int[] history = [.. content.Movies.Take(8).Select(movie => movie.MovieId)];
        var session = await client.SessionRecommendationsAsync(new SessionRecommendationRequest { History = history, Count = 5 });
        AssertSame(engine.RecommendForHistory(history, 5), session);

        var movieId = content.Movies[3].MovieId;
        AssertSame(engine.SimilarMovies(movieId, 5), await client.SimilarMoviesAsync(movieId, 5));
        var unknownMovie = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => client.SimilarMoviesAsync(999_999, null));
        Assert.Equal((404, ApiProblems.UnknownMovieType, "movieId"), (unknownMovie.StatusCode, unknownMovie.Result.Type, unknownMovie.Result.Parameter));

        var posted = await client.PostUserEventsAsync(userId, new UserEventsRequest
        {
            Events = [new UserEventInput { MovieId = movieId, Rating = 4.5, EventId = "generated-1" }, new UserEventInput { MovieId = 999_999 }],
        });
        Assert.Equal((2, 0), (posted.Accepted, posted.Duplicates));
        Assert.Equal([999_999], posted.UnknownMovies);
        Assert.Equal([999_999, movieId], (await client.GetUserEventsAsync(userId, 10)).Events.Select(stored => stored.MovieId));
        Assert.Equal("Live", (await client.UserRecommendationsAsync(userId, 5, null, null)).Path.ToString());
        Assert.Equal(2, (await client.DeleteUserEventsAsync(userId)).Deleted);

        // The host serves the document the client was generated from.
        var served = JsonNode.Parse(((JsonElement)await client.OpenApiAsync()).GetRawText());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(Path.Combine(azurite.RepositoryRoot, "docs", "openapi.json"))), served),
            "GET /api/openapi.json is not docs/openapi.json");

        // The training CLI starts, finds no data set and fails in the background (the host stops it on dispose).
        var run = await client.RetrainNowAsync();
        Assert.Equal((RunRecordStatus.Launched, RunRecordTrigger.Http), (run.Status, run.Trigger));
        var runs = new RunRecordStore(azurite.CreateServiceClient().GetBlobContainerClient(runsContainer));
        Assert.NotNull(await runs.GetAsync(run.RunId));
        Assert.Equal(run.RunId, (await client.RetrainRunsAsync(5)).Runs.First().RunId);

        var withoutKey = await Assert.ThrowsAsync<ApiException>(() => new RecommenderApiClient(serving.Anonymous).ModelInfoAsync());
        Assert.Equal(401, withoutKey.StatusCode);

        var uncalled = serving.Host.HttpFunctions
            .Where(function => !requests.Sent.Any(request => function.Methods.Contains(request.Method) && RoutePattern(serving.Host.RoutePrefix, function).IsMatch(request.Path)))
            .Select(function => function.Name);
        Assert.Empty(uncalled);
    }

    private static void AssertSame(RecommendationResult expected, RecommendationResponse actual)
    {
        Assert.Equal(expected.ModelVersion, actual.ModelVersion);
        Assert.Equal(expected.Path.ToString(), actual.Path.ToString());
        Assert.NotEmpty(actual.Items);
        Assert.Equal(
            expected.Items.Select(movie => (movie.Rank, movie.MovieId, movie.Title, movie.Year, movie.Score, string.Join('|', movie.Genres))),
            actual.Items.Select(movie => (movie.Rank, movie.MovieId, movie.Title, movie.Year, movie.Score, string.Join('|', movie.Genres))));
    }

    /// <summary>The served path of <paramref name="function"/>'s route template, each {parameter} one path segment.</summary>
    private static Regex RoutePattern(string routePrefix, HttpFunction function) =>
        new("^/" + string.Join('/', HttpRoutePrefix.Combine(routePrefix, function.Route).Split('/')
            .Select(segment => segment.StartsWith('{') ? "[^/]+" : Regex.Escape(segment))) + "$");

    /// <summary>Keeps the method and path of every request the client sends.</summary>
    private sealed class RequestRecorder(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public List<(string Method, string Path)> Sent { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Sent.Add((request.Method.Method, request.RequestUri!.AbsolutePath));
            return base.SendAsync(request, cancellationToken);
        }
    }
}
