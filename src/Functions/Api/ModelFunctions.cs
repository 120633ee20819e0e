using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Recommender.Model.Serving;

namespace Recommender.Functions.Api;

/// <summary>What is served: the model's description and the health probe.</summary>
public sealed class ModelFunctions(ModelProvider models)
{
    [Function("ModelInfo")]
    [OpenApiOperation("The served model", "Published version, training time, metrics, the data set fingerprint and what computes session users' vectors.")]
    [OpenApiResponse(200, typeof(ModelInfoResponse), "The served model.")]
    [OpenApiProblem(503, RecommendationFunctions.ModelUnavailableDescription, RetryAfter = true)]
    public async Task<IResult> ModelInfo(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "model")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        using var lease = await models.AcquireAsync(cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return ApiProblems.ModelUnavailable(request.HttpContext.Response, models.RetryAfter);
        }
        var model = lease.Model;
        var manifest = model.Manifest;
        request.HttpContext.Response.Headers[RecommendationFunctions.ModelVersionHeader] = model.ModelVersion;
        return TypedResults.Json(
            new ModelInfoResponse(
                model.Published.Version, model.ModelVersion, model.Published.PublishedAt, manifest.CreatedUtc, model.LoadedAt,
                manifest.DatasetFingerprint, manifest.Metrics, manifest.HyperParameters, manifest.MovieCount, manifest.UserCount,
                manifest.Dim, manifest.MaxHistory,
                new SessionRuntimeInfo(model.Engine.UserVectorRuntime.Runtime.ToString(), model.Engine.UserVectorRuntime.Description),
                manifest.DataEndUtc),
            ApiJson.Options);
    }

    [Function("Health")]
    [OpenApiOperation("Health probe", "200 when a model is loaded, 503 with Retry-After before the first publish.")]
    [OpenApiResponse(200, typeof(HealthResponse), "A model is loaded and served.")]
    [OpenApiProblem(503, RecommendationFunctions.ModelUnavailableDescription, RetryAfter = true)]
    public async Task<IResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        using var lease = await models.AcquireAsync(cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return ApiProblems.ModelUnavailable(request.HttpContext.Response, models.RetryAfter);
        }
        request.HttpContext.Response.Headers[RecommendationFunctions.ModelVersionHeader] = lease.Model.ModelVersion;
        return TypedResults.Json(new HealthResponse("healthy", lease.Model.ModelVersion), ApiJson.Options);
    }
}
