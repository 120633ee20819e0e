using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recommender.Model.Bundle;

/// <summary>Names of the files of a bundle.</summary>
public static class BundleFiles
{
    public const string Manifest = "manifest.json";
    public const string Model = "model.onnx";
    public const string MovieTable = "movies.f32";
    public const string Movies = "movies.json";
    public const string UserTable = "users.f32";
    public const string UserIds = "user_ids.i32";
    public const string HistoryOffsets = "history_offsets.i32";
    public const string History = "history.i32";
    public const string SeenOffsets = "seen_offsets.i32";
    public const string Seen = "seen.i32";
    public const string PopularityItems = "popularity_items.i32";
    public const string PopularityScores = "popularity_scores.f32";
    public const string PrecomputedItems = "precomputed_items.i32";
    public const string PrecomputedScores = "precomputed_scores.f32";

    /// <summary>Every file a bundle of the current schema holds besides the manifest.</summary>
    public static IReadOnlyList<string> Required { get; } =
    [
        Model, MovieTable, Movies, UserTable, UserIds, HistoryOffsets, History, SeenOffsets, Seen,
        PopularityItems, PopularityScores, PrecomputedItems, PrecomputedScores,
    ];
}

/// <summary>Element types of the raw little-endian tables.</summary>
public static class BundleElementTypes
{
    public const string Float32 = "float32";
    public const string Int32 = "int32";
}

/// <summary>One file of the bundle: its SHA-256, its size and, for raw tables, element type and shape.</summary>
public sealed record BundleFileEntry
{
    [JsonPropertyName("sha256")] public required string Sha256 { get; init; }
    [JsonPropertyName("bytes")] public required long Bytes { get; init; }
    [JsonPropertyName("elementType")] public string? ElementType { get; init; }
    [JsonPropertyName("shape")] public long[]? Shape { get; init; }
}

/// <summary>manifest.json: what the bundle is, how it was made, and how to verify each file.</summary>
public sealed record BundleManifest
{
    public const int CurrentSchemaVersion = 1;

    [JsonPropertyName("schemaVersion")] public required int SchemaVersion { get; init; }

    /// <summary>For example 20261128T031500123Z-1a2b3c4d: creation time and the first 8 hex digits of the data set fingerprint.</summary>
    [JsonPropertyName("modelVersion")] public required string ModelVersion { get; init; }

    [JsonPropertyName("createdUtc")] public required DateTimeOffset CreatedUtc { get; init; }
    [JsonPropertyName("datasetFingerprint")] public required string DatasetFingerprint { get; init; }

    /// <summary>D: width of the movie and user tables and of user vectors.</summary>
    [JsonPropertyName("dim")] public required int Dim { get; init; }

    /// <summary>L: the most recent history steps the model reads.</summary>
    [JsonPropertyName("maxHistory")] public required int MaxHistory { get; init; }

    [JsonPropertyName("movieCount")] public required int MovieCount { get; init; }
    [JsonPropertyName("userCount")] public required int UserCount { get; init; }

    /// <summary>K of the precomputed per-user top lists.</summary>
    [JsonPropertyName("precomputedCount")] public required int PrecomputedCount { get; init; }

    [JsonPropertyName("hyperParameters")] public required IReadOnlyDictionary<string, string> HyperParameters { get; init; }
    [JsonPropertyName("metrics")] public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>a [D]: the graph part of the user vector for users outside the graph.</summary>
    [JsonPropertyName("anonymousVector")] public required float[] AnonymousVector { get; init; }

    /// <summary>
    /// True: a session's graph part is a + the mean of the movie table over the history the model reads (the fold-in);
    /// false or absent (bundles written before it): a alone.
    /// </summary>
    [JsonPropertyName("sessionFoldIn")] public bool SessionFoldIn { get; init; }

    /// <summary>
    /// The newest interaction the bundle's histories were built from; user events after it are not in the model and are
    /// served live. Null (bundles that do not record it): every stored event counts as newer.
    /// </summary>
    [JsonPropertyName("dataEndUtc")] public DateTimeOffset? DataEndUtc { get; init; }

    [JsonPropertyName("files")] public required IReadOnlyDictionary<string, BundleFileEntry> Files { get; init; }

    internal static readonly JsonSerializerOptions SerializerOptions = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>For movies.json: one line, since the catalogue is read by programs and can hold 100K entries.</summary>
    internal static readonly JsonSerializerOptions CompactSerializerOptions = new(SerializerOptions) { WriteIndented = false };

    /// <summary>
    /// yyyyMMddTHHmmssfffZ-first 8 hex digits of the fingerprint (or "00000000" when it has none). Milliseconds, because
    /// two runs on the same data can finish within one second, and a published version is never overwritten.
    /// </summary>
    public static string CreateModelVersion(DateTimeOffset createdUtc, string datasetFingerprint)
    {
        var hex = new string([.. datasetFingerprint.Where(Uri.IsHexDigit).Take(8).Select(char.ToLowerInvariant)]);
        return $"{createdUtc.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{hex.PadRight(8, '0')}";
    }
}
