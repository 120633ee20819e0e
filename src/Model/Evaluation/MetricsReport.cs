using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Recommender.Model.Evaluation;

/// <summary>
/// The contents of metrics.json. Per-model values are an open name → number map (ranking metrics,
/// <c>train_seconds</c>, later <c>rmse</c>/<c>mae</c>); top-level fields this type does not model yet are kept
/// in <see cref="AdditionalFields"/> so a read–write round trip loses nothing.
/// </summary>
public sealed partial class MetricsReport
{
    private static readonly JsonSerializerOptions SerializerOptions = new() { WriteIndented = true };

    [JsonPropertyName("dataset")]
    public required DatasetSummary Dataset { get; init; }

    [JsonPropertyName("protocol")]
    public required ProtocolSummary Protocol { get; init; }

    /// <summary>Model name → metric name (see <see cref="MetricNames"/>) → value, in insertion order.</summary>
    [JsonPropertyName("models")]
    public Dictionary<string, Dictionary<string, double>> Models { get; init; } = new(StringComparer.Ordinal);

    [JsonExtensionData]
    public Dictionary<string, JsonElement> AdditionalFields { get; init; } = new(StringComparer.Ordinal);

    /// <summary>A report for <paramref name="split"/> with no models yet.</summary>
    public static MetricsReport For(DataSplit split)
    {
        var dataset = split.Dataset;
        var parameters = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (name, value) in split.Parameters)
        {
            parameters[name] = JsonNumber().IsMatch(value)
                ? JsonDocument.Parse(value).RootElement.Clone()
                : JsonSerializer.SerializeToElement(value);
        }
        return new MetricsReport
        {
            Dataset = new DatasetSummary
            {
                Name = dataset.Name,
                Users = dataset.Users.Count,
                Items = dataset.Items.Count,
                Interactions = dataset.Interactions.Count,
            },
            Protocol = new ProtocolSummary { Name = split.Protocol, Seed = split.Seed, K = split.K, Parameters = parameters },
        };
    }

    /// <summary>Records a model's ranking metrics and training time; returns its value map for further numbers.</summary>
    public Dictionary<string, double> AddModel(string modelName, RankingMetricsSummary ranking, double trainSeconds)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in ranking.Named())
        {
            values[name] = value;
        }
        values[MetricNames.TrainSeconds] = trainSeconds;
        Models[modelName] = values;
        return values;
    }

    public string ToJson() => JsonSerializer.Serialize(this, SerializerOptions);

    public static MetricsReport FromJson(string json) =>
        JsonSerializer.Deserialize<MetricsReport>(json, SerializerOptions)
        ?? throw new JsonException("metrics.json holds null instead of an object.");

    public void Write(string path) => File.WriteAllText(path, ToJson() + "\n");

    /// <exception cref="InvalidDataException">The file is not a valid metrics.json (the message names the file).</exception>
    public static MetricsReport Read(string path)
    {
        try
        {
            return FromJson(File.ReadAllText(path));
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"{path}: not a valid metrics.json: {exception.Message}", exception);
        }
    }

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")]
    private static partial Regex JsonNumber();
}

public sealed class DatasetSummary
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("users")]
    public required int Users { get; init; }

    /// <summary>Size of the item index space: the catalogue that rankings and coverage are computed over.</summary>
    [JsonPropertyName("items")]
    public required int Items { get; init; }

    [JsonPropertyName("interactions")]
    public required long Interactions { get; init; }
}

public sealed class ProtocolSummary
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("seed")]
    public required int Seed { get; init; }

    [JsonPropertyName("k")]
    public required int K { get; init; }

    /// <summary>The protocol's own parameters (ratio, cut, …), written next to name/seed/k; numbers stay numbers.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement> Parameters { get; init; } = new(StringComparer.Ordinal);
}
