using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Recommender.Model.Events;

namespace Recommender.Functions.Api;

/// <summary>Checks of the events routes' bodies (the rules themselves are <see cref="UserEventRules"/>).</summary>
public static class EventRequests
{
    /// <summary>Reads POST /api/users/{userId}/events: 1 to 100 valid events; a missing timestamp becomes <paramref name="now"/>.</summary>
    public static async Task<(IReadOnlyList<UserEvent>? Events, ProblemHttpResult? Problem)> ReadEventsBodyAsync(
        HttpRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (body, problem) = await ApiRequests.ReadJsonBodyAsync<UserEventsRequest>(request, "a JSON object with an \"events\" array", cancellationToken)
            .ConfigureAwait(false);
        if (body is null)
        {
            return (null, problem);
        }
        if (body.Events is null || body.Events.Count == 0)
        {
            return (null, ApiProblems.InvalidBody("\"events\" must be an array of 1 to 100 events.", "events"));
        }
        if (body.Events.Count > UserEventRules.MaxEventsPerPost)
        {
            return (null, ApiProblems.InvalidBody($"\"events\" has {body.Events.Count} events; at most {UserEventRules.MaxEventsPerPost} are accepted per request.", "events"));
        }
        var events = new List<UserEvent>(body.Events.Count);
        for (var index = 0; index < body.Events.Count; index++)
        {
            if (body.Events[index] is not { } input)
            {
                return (null, ApiProblems.InvalidBody($"events[{index}] is null; expected an object with a movieId.", $"events[{index}]"));
            }
            if (UserEventRules.Check(index, input.MovieId, input.Rating, input.Timestamp, input.EventId, now) is { } failure)
            {
                return (null, ApiProblems.InvalidBody(failure.Problem, failure.Field));
            }
            events.Add(new UserEvent(input.MovieId, input.Rating is { } rating ? (float)rating : null, (input.Timestamp ?? now).ToUniversalTime(), input.EventId));
        }
        return (events, null);
    }
}
