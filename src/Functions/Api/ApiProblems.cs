using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Recommender.Functions.Api;

/// <summary>RFC 7807 problem types of the API; each response names the offending parameter where there is one.</summary>
public static class ApiProblems
{
    public const string ContentType = "application/problem+json";

    public const string InvalidParameterType = "urn:recommender:problem:invalid-parameter";
    public const string InvalidBodyType = "urn:recommender:problem:invalid-body";
    public const string PayloadTooLargeType = "urn:recommender:problem:payload-too-large";
    public const string UnsupportedMediaTypeType = "urn:recommender:problem:unsupported-media-type";
    public const string UnknownMovieType = "urn:recommender:problem:unknown-movie";
    public const string ModelUnavailableType = "urn:recommender:problem:model-unavailable";
    public const string StorageUnavailableType = "urn:recommender:problem:storage-unavailable";

    /// <summary>The extension member naming the query parameter, route value or body field at fault.</summary>
    public const string ParameterExtension = "parameter";

    public static ProblemHttpResult InvalidParameter(string parameter, string detail) =>
        Create(StatusCodes.Status400BadRequest, InvalidParameterType, "Invalid parameter", detail, parameter);

    public static ProblemHttpResult InvalidBody(string detail, string? parameter = null) =>
        Create(StatusCodes.Status400BadRequest, InvalidBodyType, "Invalid request body", detail, parameter);

    public static ProblemHttpResult PayloadTooLarge(long limit) =>
        Create(StatusCodes.Status400BadRequest, PayloadTooLargeType, "Request body too large",
            $"The request body is larger than {limit.ToString(CultureInfo.InvariantCulture)} bytes.", "body");

    public static ProblemHttpResult UnsupportedMediaType(string? contentType) =>
        Create(StatusCodes.Status415UnsupportedMediaType, UnsupportedMediaTypeType, "Unsupported media type",
            $"The request body must be application/json, not '{(string.IsNullOrEmpty(contentType) ? "(none)" : contentType)}'.", "Content-Type");

    public static ProblemHttpResult UnknownMovie(string parameter, int movieId) =>
        Create(StatusCodes.Status404NotFound, UnknownMovieType, "Unknown movie",
            $"Movie {movieId.ToString(CultureInfo.InvariantCulture)} is not in the served model's catalogue.", parameter);

    /// <summary>503 with Retry-After (whole seconds, at least 1) set on <paramref name="response"/>.</summary>
    public static ProblemHttpResult ModelUnavailable(HttpResponse response, TimeSpan retryAfter)
    {
        SetRetryAfter(response, retryAfter);
        return Create(StatusCodes.Status503ServiceUnavailable, ModelUnavailableType, "No model available",
            "No model is published yet, or the published one could not be loaded; retry later.", parameter: null);
    }

    /// <summary>503 with Retry-After set on <paramref name="response"/>: Blob Storage could not be reached while <paramref name="action"/>.</summary>
    public static ProblemHttpResult StorageUnavailable(HttpResponse response, TimeSpan retryAfter, string action)
    {
        SetRetryAfter(response, retryAfter);
        return Create(StatusCodes.Status503ServiceUnavailable, StorageUnavailableType, "Storage unavailable",
            $"Blob Storage could not be reached while {action}; nothing was started. Retry later.", parameter: null);
    }

    /// <summary>503 with Retry-After set on <paramref name="response"/>: Table Storage could not be reached; <paramref name="outcome"/> says what that left.</summary>
    public static ProblemHttpResult EventStorageUnavailable(HttpResponse response, TimeSpan retryAfter, string outcome)
    {
        SetRetryAfter(response, retryAfter);
        return Create(StatusCodes.Status503ServiceUnavailable, StorageUnavailableType, "Storage unavailable",
            $"The user events table could not be reached; {outcome} Retry later.", parameter: null);
    }

    /// <summary>Retry-After in whole seconds, at least 1.</summary>
    private static void SetRetryAfter(HttpResponse response, TimeSpan retryAfter) =>
        response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static ProblemHttpResult Create(int status, string type, string title, string detail, string? parameter)
    {
        var problem = new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail };
        if (parameter is not null)
        {
            problem.Extensions[ParameterExtension] = parameter;
        }
        return TypedResults.Problem(problem);
    }
}
