using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recommender.Training.Cli;

/// <summary>
/// run.json in a <c>train</c> output folder: what <c>export</c> needs to rebuild the split the saved model was trained
/// on (data location and fingerprint, the split options as given) and the main model's test metrics.
/// </summary>
internal sealed record TrainingRunRecord
{
    public const string FileName = "run.json";
    public const int CurrentFormat = 1;

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public int Format { get; init; } = CurrentFormat;
    public required string Model { get; init; }
    public required string Data { get; init; }
    public required string DatasetFingerprint { get; init; }

    /// <summary>The data and split options of the <c>train</c> command line (name → value, null for a flag).</summary>
    public required Dictionary<string, string?> SplitArguments { get; init; }

    public required Dictionary<string, double> Metrics { get; init; }

    public void Write(string runFolder) =>
        File.WriteAllText(Path.Combine(runFolder, FileName), JsonSerializer.Serialize(this, JsonOptions));

    /// <exception cref="CommandFailedException">run.json is missing, unreadable or of another format.</exception>
    public static TrainingRunRecord Read(string runFolder)
    {
        var path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path))
        {
            throw new CommandFailedException($"{path}: not found; is {runFolder} the --out folder of a 'train' run?");
        }
        TrainingRunRecord? record;
        try
        {
            record = JsonSerializer.Deserialize<TrainingRunRecord>(File.ReadAllText(path), JsonOptions);
        }
        catch (JsonException exception)
        {
            throw new CommandFailedException($"{path}: not valid JSON ({exception.Message}).", exception);
        }
        if (record is null)
        {
            throw new CommandFailedException($"{path}: empty.");
        }
        if (record.Format != CurrentFormat)
        {
            throw new CommandFailedException($"{path}: format {record.Format}; this version reads format {CurrentFormat}.");
        }
        return record;
    }

    [JsonIgnore]
    public IEnumerable<string> SplitCommandLine =>
        SplitArguments.SelectMany(pair => pair.Value is null ? new[] { $"--{pair.Key}" } : [$"--{pair.Key}", pair.Value]);
}
