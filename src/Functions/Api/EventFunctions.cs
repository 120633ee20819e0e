using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Recommender.Model.Events;
using Recommender.Model.Serving;
using Recommender.Model.Storage;

namespace Recommender.Functions.Api;

/// <summary>A user's live events: stored in Table Storage, read by the next recommendation call and by the next retrain.</summary>
public sealed partial class EventFunctions(UserEventStore store, LiveUserHistory live, ModelProvider models, TimeProvider time, ILogger<EventFunctions> logger)
{
    /// <summary>Retry-After of a 503 when the events table cannot be reached.</summary>
    public static readonly TimeSpan StorageRetryAfter = TimeSpan.FromSeconds(5);

    private const string StorageProblemDescription = "The user events table could not be reached; nothing of the request was stored.";

    [Function("PostUserEvents")]
    [OpenApiOperation("Record what a user watched or rated",
        "At most 100 events per request; an event's eventId makes it idempotent (a repeated eventId is stored once). The user's next recommendations read them.")]
    [OpenApiRequestBody(typeof(UserEventsRequest))]
    [OpenApiResponse(202, typeof(EventsAcceptedResponse), "Stored: how many were accepted, how many were duplicates, and which movies the served model does not know yet.")]
    [OpenApiProblem(400, "userId or the body is invalid (too many events, a rating off the half-star scale, a bad eventId or timestamp); parameter names the field, for example events[3].rating.")]
    [OpenApiProblem(415, "The body is not application/json (UTF-8).")]
    [OpenApiProblem(503, StorageProblemDescription, RetryAfter = true)]
    public async Task<IResult> PostUserEvents(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "users/{userId}/events")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        if (ApiRequests.ReadId(userId, "userId", out var user) is { } idProblem)
        {
            return idProblem;
        }
        var (events, bodyProblem) = await EventRequests.ReadEventsBodyAsync(request, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (events is null)
        {
            return bodyProblem!;
        }
        StoredEvents stored;
        try
        {
            stored = await store.AddAsync(user, events, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (StorageErrors.IsUnreachable(error))
        {
            LogUnreachable("storing events", error);
            return ApiProblems.EventStorageUnavailable(request.HttpContext.Response, StorageRetryAfter,
                "no event of this request was stored: repeat it (its eventIds keep each event single).");
        }
        finally
        {
            live.Forget(user);
        }
        if (!stored.ChangePublished)
        {
            LogChangeNotPublished(user, LiveUserHistory.MaxTrustedAge.TotalSeconds);
        }
        var unknownMovies = Array.Empty<int>();
        using (var lease = await models.AcquireAsync(cancellationToken).ConfigureAwait(false))
        {
            if (lease is not null)
            {
                unknownMovies = [.. events.Select(userEvent => userEvent.MovieId).Distinct().Where(movie => !lease.Model.Engine.IsKnownMovie(movie))];
            }
        }
        return TypedResults.Json(new EventsAcceptedResponse(stored.Accepted, stored.Duplicates, unknownMovies), ApiJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    [Function("GetUserEvents")]
    [OpenApiOperation("A user's stored events", "Newest first.")]
    [OpenApiQuery("count", "integer", "How many events, 1 to 100 (default 10).")]
    [OpenApiResponse(200, typeof(UserEventsResponse), "The newest events first.")]
    [OpenApiProblem(400, "userId or count is invalid; parameter names which.")]
    [OpenApiProblem(503, "The user events table could not be reached.", RetryAfter = true)]
    public async Task<IResult> GetUserEvents(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "users/{userId}/events")] HttpRequest request,
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
        try
        {
            var events = await store.GetNewestAsync(user, count, cancellationToken).ConfigureAwait(false);
            return TypedResults.Json(
                new UserEventsResponse(user, [.. events.Select(stored => new UserEventOutput(stored.MovieId, stored.Rating, stored.Timestamp, stored.EventId))]),
                ApiJson.Options);
        }
        catch (Exception error) when (StorageErrors.IsUnreachable(error))
        {
            LogUnreachable("reading events", error);
            return ApiProblems.EventStorageUnavailable(request.HttpContext.Response, StorageRetryAfter, "the events could not be read.");
        }
    }

    [Function("DeleteUserEvents")]
    [OpenApiOperation("Erase a user's events", "Right to be forgotten: every stored event of the user is erased, and the next retrain no longer sees them.")]
    [OpenApiResponse(200, typeof(EventsDeletedResponse), "Erased: how many events there were.")]
    [OpenApiProblem(400, "userId is invalid.")]
    [OpenApiProblem(503, "The user events table could not be reached; repeat the request to finish the erasure.", RetryAfter = true)]
    public async Task<IResult> DeleteUserEvents(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "users/{userId}/events")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        if (ApiRequests.ReadId(userId, "userId", out var user) is { } idProblem)
        {
            return idProblem;
        }
        try
        {
            var deleted = await store.DeleteUserAsync(user, cancellationToken).ConfigureAwait(false);
            return TypedResults.Json(new EventsDeletedResponse(user, deleted), ApiJson.Options);
        }
        catch (Exception error) when (StorageErrors.IsUnreachable(error))
        {
            LogUnreachable("erasing events", error);
            return ApiProblems.EventStorageUnavailable(request.HttpContext.Response, StorageRetryAfter, "the erasure may be incomplete: repeat it.");
        }
        finally
        {
            live.Forget(user);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "The user events table could not be reached while {Action}")]
    private partial void LogUnreachable(string action, Exception error);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "User {UserId}'s events are stored, but their change row could not be written: other instances reflect them within {Seconds} s instead of 1 s")]
    private partial void LogChangeNotPublished(int userId, double seconds);
}
