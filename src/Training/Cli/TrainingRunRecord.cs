using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recommender.Training.Cli;

/// <summary>
/// run.json in a <c>train</c> output folder: what <c>export</c> needs to rebuild the split the saved model was trained
/// on (data location and fingerprint, the split definition) and the main model's test metrics.
/// </summary>
internal sealed record TrainingRunRecord
{
    public const string FileName = "run.json";
    /// <summary>2: the split as a <see cref="SplitDefinition"/> (format 1 kept the train command line's options).</summary>
    public const int CurrentFormat = 2;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public int Format { get; init; } = CurrentFormat;
    public required string Model { get; init; }
    public required string Data { get; init; }
    public required string DatasetFingerprint { get; init; }

    public required SplitDefinition Split { get; init; }

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
            var json = File.ReadAllText(path);
            // The format first: an older record lacks members this version requires.
            var format = JsonSerializer.Deserialize<RecordFormat>(json, JsonOptions)?.Format ?? 0;
            if (format != CurrentFormat)
            {
                throw new CommandFailedException($"{path}: format {format}; this version reads format {CurrentFormat} (run 'train' again).");
            }
            record = JsonSerializer.Deserialize<TrainingRunRecord>(json, JsonOptions);
        }
        catch (JsonException exception)
        {
            throw new CommandFailedException($"{path}: not valid JSON ({exception.Message}).", exception);
        }
        if (record is null)
        {
            throw new CommandFailedException($"{path}: empty.");
        }
        return record;
    }

    private sealed record RecordFormat(int Format);
}
