using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Recommender.Training.Models;
using static TorchSharp.torch;

namespace Recommender.Training.Trainers;

/// <summary>model.json: what a saved model is and how to rebuild its network.</summary>
internal sealed record ModelDescription
{
    public const string CurrentFormat = "recommender-model/1";

    public required string Format { get; init; }
    public required string Model { get; init; }
    public required TrainingOptions Options { get; init; }
    public required NetworkShape Shape { get; init; }
    public required RankingLoss Loss { get; init; }
    public required int BestEpoch { get; init; }
    public required double TrainSeconds { get; init; }
    public required IReadOnlyList<EpochReport> History { get; init; }
    public RatingMetrics? Rating { get; init; }
    public required IReadOnlyList<int> UserIds { get; init; }
    public required IReadOnlyList<int> ItemIds { get; init; }
}

/// <summary>
/// Saves and loads a <see cref="TrainedModel"/> as a folder: model.json, weights.bin (TorchSharp module.save of
/// every parameter) and tables.bin (the final movie table, graph user table and user vectors, float32).
/// </summary>
internal static class ModelArtifacts
{
    private const string DescriptionFile = "model.json";
    private const string WeightsFile = "weights.bin";
    private const string TablesFile = "tables.bin";
    private static readonly byte[] TablesMagic = "RECTAB01"u8.ToArray();

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static void Save(TrainedModel model, string directory)
    {
        Directory.CreateDirectory(directory);
        var description = new ModelDescription
        {
            Format = ModelDescription.CurrentFormat,
            Model = model.ModelName,
            Options = model.Options,
            Shape = model.Shape,
            Loss = model.Loss,
            BestEpoch = model.BestEpoch,
            TrainSeconds = model.TrainSeconds,
            History = model.History,
            Rating = model.Rating,
            UserIds = model.UserRawIds,
            ItemIds = model.ItemRawIds,
        };
        File.WriteAllText(Path.Combine(directory, DescriptionFile), JsonSerializer.Serialize(description, Json));
        model.Network.save(Path.Combine(directory, WeightsFile));
        var tables = new List<(string, Tensor)> { ("items", model.ItemTable), ("user-vectors", model.UserVectors) };
        if (model.UserTable is not null)
        {
            tables.Add(("users", model.UserTable));
        }
        WriteTables(Path.Combine(directory, TablesFile), tables);
    }

    public static TrainedModel Load(string directory)
    {
        var descriptionPath = Path.Combine(directory, DescriptionFile);
        if (!File.Exists(descriptionPath))
        {
            throw new FileNotFoundException($"{descriptionPath}: no saved model here.", descriptionPath);
        }
        var description = JsonSerializer.Deserialize<ModelDescription>(File.ReadAllText(descriptionPath), Json)
            ?? throw new InvalidDataException($"{descriptionPath}: empty model description.");
        if (description.Format != ModelDescription.CurrentFormat)
        {
            throw new InvalidDataException($"{descriptionPath}: format '{description.Format}' is not {ModelDescription.CurrentFormat}.");
        }
        var kind = ModelKinds.Parse(description.Model, nameof(description.Model));
        TorchRuntime.Prepare(description.Options.Threads);
        var network = new RecommenderNetwork(description.Shape, description.Options.EmbeddingInitStd);
        try
        {
            network.load(Path.Combine(directory, WeightsFile));
            network.eval();
            var tables = ReadTables(Path.Combine(directory, TablesFile));
            var model = new TrainedModel(
                kind,
                description.Options,
                network,
                Take(tables, "items", directory),
                tables.Remove("users", out var users) ? users : null,
                Take(tables, "user-vectors", directory),
                [.. description.UserIds],
                [.. description.ItemIds],
                description.History,
                description.BestEpoch,
                description.Loss)
            {
                TrainSeconds = description.TrainSeconds,
                Rating = description.Rating,
            };
            return model;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private static Tensor Take(Dictionary<string, Tensor> tables, string name, string directory) =>
        tables.Remove(name, out var table) ? table : throw new InvalidDataException($"{Path.Combine(directory, TablesFile)}: table '{name}' is missing.");

    private static void WriteTables(string path, IReadOnlyList<(string Name, Tensor Table)> tables)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(TablesMagic);
        writer.Write(tables.Count);
        foreach (var (name, table) in tables)
        {
            using var cpu = table.detach().cpu().contiguous();
            writer.Write(name);
            writer.Write(cpu.shape[0]);
            writer.Write(cpu.shape[1]);
            writer.Write(cpu.bytes);
        }
    }

    private static Dictionary<string, Tensor> ReadTables(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        if (!reader.ReadBytes(TablesMagic.Length).AsSpan().SequenceEqual(TablesMagic))
        {
            throw new InvalidDataException($"{path}: not a tables file (bad magic).");
        }
        var count = reader.ReadInt32();
        var tables = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            var rows = reader.ReadInt64();
            var columns = reader.ReadInt64();
            var values = new float[checked(rows * columns)];
            var bytes = MemoryMarshal.AsBytes(values.AsSpan());
            if (reader.Read(bytes) != bytes.Length)
            {
                throw new InvalidDataException($"{path}: table '{name}' is truncated.");
            }
            tables[name] = tensor(values, [rows, columns]);
        }
        return tables;
    }
}
