using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Recommender.Model.Engine;
using Recommender.Model.Events;
using Recommender.Model.Serving;

namespace Recommender.Functions.Api;

/// <summary>The recommendation routes. Every input is checked before the engine runs; problems are RFC 7807.</summary>
public sealed class RecommendationFunctions(ModelProvider models, LiveUserHistory live)
{
    public const string ModelVersionHeader = "X-Model-Version";

    /// <summary>The 503 of every route that needs the served model.</summary>
    internal const string ModelUnavailableDescription = "No model is published yet, or the published one could not be loaded.";

    [Function("UserRecommendations")]
    [OpenApiOperation("Recommendations for a MovieLens user",
        "Known users get the personalised ranking (path \"personalised\"), or, when they have events newer than the model's data, the model's history plus those events with everything watched left out (path \"live\"); " +
        "unknown users with events get the session path over them, others the popularity fallback (path \"fallback\").")]
    [OpenApiQuery("count", "integer", "How many movies, 1 to 100 (default 10).")]
    [OpenApiQuery("genres", "string", "Comma-separated genres; a movie needs at least one of them.")]
    [OpenApiQuery("excludeSeen", "boolean", "Leave out the movies the user has seen (default true).")]
    [OpenApiResponse(200, typeof(RecommendationResponse), "The ranked movies; the X-Model-Version header names the model.")]
    [OpenApiProblem(400, "userId, count, genres or excludeSeen is invalid, or a genre is not in the catalogue; parameter names which.")]
    [OpenApiProblem(503, ModelUnavailableDescription, RetryAfter = true)]
    public async Task<IResult> UserRecommendations(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "users/{userId}/recommendations")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        if (ApiRequests.ReadId(userId, "userId", out var user) is { } idProblem)
        {
            return idProblem;
        }
        if (ApiRequests.ReadCount(request.Query, out var count) is { } countProblem)
        {
            return countProblem;
        }
        if (ApiRequests.ReadGenres(request.Query, out var genres) is { } genresProblem)
        {
            return genresProblem;
        }
        if (ApiRequests.ReadExcludeSeen(request.Query, out var excludeSeen) is { } excludeSeenProblem)
        {
            return excludeSeenProblem;
        }
        using var lease = await models.AcquireAsync(cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return ApiProblems.ModelUnavailable(request.HttpContext.Response, models.RetryAfter);
        }
        var engine = lease.Model.Engine;
        if (ApiRequests.CheckKnownGenres(engine, genres, "genres") is { } genreProblem)
        {
            return genreProblem;
        }
        var options = new RecommendationOptions { ExcludeSeen = excludeSeen, Genres = genres };
        var newMovies = await live.NewMoviesAsync(lease.Model, user, cancellationToken).ConfigureAwait(false);
        using var span = ServingTelemetry.StartRecommendation("user");
        return Respond(request, span.Record(engine.RecommendWithNewEvents(user, newMovies, count, options)));
    }

    [Function("SessionRecommendations")]
    [OpenApiOperation("Recommendations for an anonymous or session user", "The LSTM reads the given history (oldest first); an empty history gets the popularity fallback.")]
    [OpenApiRequestBody(typeof(SessionRecommendationRequest))]
    [OpenApiResponse(200, typeof(RecommendationResponse), "The ranked movies; the X-Model-Version header names the model.")]
    [OpenApiProblem(400, "The body is empty, not a valid request, larger than 64 KiB or out of bounds, or a genre is not in the catalogue; parameter names the field.")]
    [OpenApiProblem(404, "A movie of the history is not in the served model's catalogue; parameter names it (history[i]).")]
    [OpenApiProblem(415, "The body is not application/json (UTF-8).")]
    [OpenApiProblem(503, ModelUnavailableDescription, RetryAfter = true)]
    public async Task<IResult> SessionRecommendations(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "recommendations")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (body, bodyProblem) = await ApiRequests.ReadSessionBodyAsync(request, cancellationToken).ConfigureAwait(false);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }
        using var lease = await models.AcquireAsync(cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return ApiProblems.ModelUnavailable(request.HttpContext.Response, models.RetryAfter);
        }
        var engine = lease.Model.Engine;
        if (ApiRequests.CheckKnownGenres(engine, body!.Genres, "genres") is { } genreProblem)
        {
            return genreProblem;
        }
        for (var position = 0; position < body.History.Count; position++)
        {
            if (!engine.IsKnownMovie(body.History[position]))
            {
                return ApiProblems.UnknownMovie($"history[{position}]", body.History[position]);
            }
        }
        var options = new RecommendationOptions
        {
            ExcludeSeen = body.ExcludeSeen ?? true,
            Genres = body.Genres,
            ExcludeMovieIds = body.Exclude is null ? null : [.. body.Exclude],
        };
        using var span = ServingTelemetry.StartRecommendation("session");
        return Respond(request, span.Record(engine.RecommendForHistory(body.History, body.Count ?? ApiRequests.DefaultCount, options)));
    }

    [Function("SimilarMovies")]
    [OpenApiOperation("Movies similar to a movie", "Nearest movies by cosine similarity of the learned movie embeddings.")]
    [OpenApiQuery("count", "integer", "How many movies, 1 to 100 (default 10).")]
    [OpenApiResponse(200, typeof(RecommendationResponse), "The most similar movies, the movie itself left out; the X-Model-Version header names the model.")]
    [OpenApiProblem(400, "movieId or count is invalid; parameter names which.")]
    [OpenApiProblem(404, "The movie is not in the served model's catalogue.")]
    [OpenApiProblem(503, ModelUnavailableDescription, RetryAfter = true)]
    public async Task<IResult> SimilarMovies(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "movies/{movieId}/similar")] HttpRequest request,
        string movieId,
        CancellationToken cancellationToken)
    {
        if (ApiRequests.ReadId(movieId, "movieId", out var movie) is { } idProblem)
        {
            return idProblem;
        }
        if (ApiRequests.ReadCount(request.Query, out var count) is { } countProblem)
        {
            return countProblem;
        }
        using var lease = await models.AcquireAsync(cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return ApiProblems.ModelUnavailable(request.HttpContext.Response, models.RetryAfter);
        }
        var engine = lease.Model.Engine;
        if (!engine.IsKnownMovie(movie))
        {
            return ApiProblems.UnknownMovie("movieId", movie);
        }
        using var span = ServingTelemetry.StartRecommendation("similar");
        return Respond(request, span.Record(engine.SimilarMovies(movie, count)));
    }

    private static IResult Respond(HttpRequest request, RecommendationResult result)
    {
        request.HttpContext.Response.Headers[ModelVersionHeader] = result.ModelVersion;
        return TypedResults.Json(new RecommendationResponse(result.ModelVersion, result.Path, result.Items), ApiJson.Options);
    }
}
