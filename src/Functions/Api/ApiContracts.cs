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
/// <param name="Path">personalised, session, fallback (popularity: unknown user or empty history) or similarItems.</param>
public sealed record RecommendationResponse(string ModelVersion, RecommendationPath Path, IReadOnlyList<RecommendedMovie> Items);

/// <summary>GET /api/model: the served model.</summary>
/// <param name="Version">The version latest.json names.</param>
/// <param name="ModelVersion">The manifest's model version, carried by every response (X-Model-Version).</param>
/// <param name="TrainedAt">When the bundle was created (the end of its training).</param>
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
    SessionRuntimeInfo SessionRuntime);

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
