using System.Text.Json;
using System.Text.Json.Serialization;
using Recommender.Model.Engine;

namespace Recommender.Functions.Api;

/// <summary>Body of POST /api/recommendations: an anonymous or session user's history, oldest first.</summary>
public sealed record SessionRecommendationRequest
{
    /// <summary>MovieLens movie ids the user watched or rated, oldest first (at most 500).</summary>
    public required IReadOnlyList<int> History { get; init; }

    /// <summary>1 to 100; 10 when absent.</summary>
    public int? Count { get; init; }

    /// <summary>Keep only movies with at least one of these genres.</summary>
    public IReadOnlyList<string>? Genres { get; init; }

    /// <summary>Movie ids never to recommend (at most 500).</summary>
    public IReadOnlyList<int>? Exclude { get; init; }

    /// <summary>Leave out the movies of the history; true when absent.</summary>
    public bool? ExcludeSeen { get; init; }
}

/// <summary>A ranked list of movies and how it was produced.</summary>
/// <param name="Path">personalised, live (a known user plus their events newer than the model), session, fallback (popularity: unknown user or empty history) or similarItems.</param>
public sealed record RecommendationResponse(string ModelVersion, RecommendationPath Path, IReadOnlyList<RecommendedMovie> Items);

/// <summary>GET /api/model: the served model.</summary>
/// <param name="Version">The version latest.json names.</param>
/// <param name="ModelVersion">The manifest's model version, carried by every response (X-Model-Version).</param>
/// <param name="TrainedAt">When the bundle was created (the end of its training).</param>
/// <param name="DataEndUtc">The newest interaction the model learnt from; user events after it are served live. Null when the bundle does not record it.</param>
public sealed record ModelInfoResponse(
    string Version,
    string ModelVersion,
    DateTimeOffset PublishedAt,
    DateTimeOffset TrainedAt,
    DateTimeOffset LoadedAt,
    string DatasetFingerprint,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, string> HyperParameters,
    int MovieCount,
    int UserCount,
    int Dim,
    int MaxHistory,
    SessionRuntimeInfo SessionRuntime,
    DateTimeOffset? DataEndUtc);

/// <summary>What computes session users' vectors: "Compiled" (verified against ONNX Runtime at load) or "OnnxRuntime", and why.</summary>
public sealed record SessionRuntimeInfo(string Runtime, string Description);

/// <summary>GET /api/health.</summary>
public sealed record HealthResponse(string Status, string? ModelVersion);

internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            // A NaN or infinite score must never turn a response into a 500.
            NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>For request bodies: numbers must be JSON numbers.</summary>
    public static readonly JsonSerializerOptions RequestOptions = new(Options) { NumberHandling = JsonNumberHandling.Strict };
}

/// <summary>Body of POST /api/users/{userId}/events: at most 100 events.</summary>
public sealed record UserEventsRequest
{
    public required IReadOnlyList<UserEventInput> Events { get; init; }
}

/// <summary>One event as posted.</summary>
public sealed record UserEventInput
{
    /// <summary>MovieLens movie id; movies the served model does not know are stored too.</summary>
    public required int MovieId { get; init; }

    /// <summary>0.5 to 5 in steps of 0.5; absent for a watch without a rating.</summary>
    public double? Rating { get; init; }

    /// <summary>ISO-8601 with an offset; now when absent.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>The client's id for the event (1 to 128 of A-Z a-z 0-9 - _ . :); a repeated one is stored once.</summary>
    public string? EventId { get; init; }
}

/// <summary>202 of POST /api/users/{userId}/events.</summary>
/// <param name="Accepted">Events stored by this request.</param>
/// <param name="Duplicates">Events whose eventId was stored already (or repeated in the request); not stored again.</param>
/// <param name="UnknownMovies">Movies of the request the served model does not know (stored; used once a retrain includes them).</param>
public sealed record EventsAcceptedResponse(int Accepted, int Duplicates, IReadOnlyList<int> UnknownMovies);

/// <summary>GET /api/users/{userId}/events: the newest events first.</summary>
public sealed record UserEventsResponse(int UserId, IReadOnlyList<UserEventOutput> Events);

/// <summary>A stored event.</summary>
public sealed record UserEventOutput(int MovieId, float? Rating, DateTimeOffset Timestamp, string? EventId);

/// <summary>DELETE /api/users/{userId}/events.</summary>
/// <param name="Deleted">How many events were erased.</param>
public sealed record EventsDeletedResponse(int UserId, int Deleted);
