using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Recommender.Training.Trainers;

/// <summary>
/// What a checkpoint belongs to: a model trained on one data set (its fingerprint), one split and one set of options.
/// A checkpoint is resumed only by a run with the same identity.
/// </summary>
public sealed record CheckpointIdentity(string Model, string DatasetFingerprint, string Split, string Options)
{
    /// <summary>The identity of <paramref name="model"/> trained with <paramref name="options"/> (compared as JSON).</summary>
    public static CheckpointIdentity For(string model, string datasetFingerprint, string split, TrainingOptions options) =>
        new(model, datasetFingerprint, split, JsonSerializer.Serialize(options));

    /// <summary>The first difference from <paramref name="other"/>, in words; null when they are the same.</summary>
    public string? DifferenceFrom(CheckpointIdentity other) =>
        Model != other.Model ? $"it is a checkpoint of model {Model}, not {other.Model}"
        : DatasetFingerprint != other.DatasetFingerprint ? $"it was trained on data with fingerprint {DatasetFingerprint}, this run's data has {other.DatasetFingerprint}"
        : Split != other.Split ? $"its split was {Split}, this run's is {other.Split}"
        : Options != other.Options ? $"its training options were {Options}, this run's are {other.Options}"
        : null;
}

/// <summary>
/// Where training stood after an epoch: the stage and its first epoch, whether the stage has ended, the early-stopping
/// state and every epoch's report so far.
/// </summary>
internal sealed record CheckpointState(
    CheckpointIdentity Identity,
    TrainingStage Stage,
    int StageFirstEpoch,
    int Epoch,
    bool StageEnded,
    double BestNdcg,
    int BestEpoch,
    List<EpochReport> History);

/// <summary>
/// A model's training checkpoints in <c>&lt;directory&gt;/&lt;model&gt;/epoch-NNNN/</c>: after each epoch, the network's
/// weights, the best epoch's weights kept by early stopping, Adam's state and <see cref="CheckpointState"/>. An epoch's
/// folder is written under a temporary name and renamed when complete, so a run killed while writing leaves the
/// previous epoch's checkpoint intact. No random generator state is saved: the trainer seeds both generators at the
/// start of every epoch from the run's seed and the epoch number, so a resumed epoch draws what it would have drawn.
/// </summary>
public sealed class TrainingCheckpoint
{
    private const string StateFile = Recommender.Model.Storage.RunCheckpointStore.CompletionFile;
    private const string WeightsFile = "weights.bin";
    private const string BestWeightsFile = "best.bin";
    private const string OptimizerFile = "optimizer.bin";
    private const string EpochPrefix = "epoch-";
    private const string PartialSuffix = ".partial";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public TrainingCheckpoint(string directory, CheckpointIdentity identity)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Folder = Path.Combine(Path.GetFullPath(directory), identity.Model);
        Identity = identity;
    }

    /// <summary>This model's checkpoint folder.</summary>
    public string Folder { get; }

    public CheckpointIdentity Identity { get; }

    /// <summary>The newest complete epoch folder, or null when there is none.</summary>
    public string? LatestEpochFolder() =>
        Directory.Exists(Folder)
            ? Directory.GetDirectories(Folder, EpochPrefix + "*")
                .Where(path => !path.EndsWith(PartialSuffix, StringComparison.Ordinal) && File.Exists(Path.Combine(path, StateFile)))
                .OrderDescending(StringComparer.Ordinal)
                .FirstOrDefault()
            : null;

    /// <summary>
    /// Writes the checkpoint of <paramref name="state"/>.Epoch and deletes the older ones.
    /// </summary>
    internal void Save(CheckpointState state, nn.Module network, IReadOnlyDictionary<string, Tensor>? bestWeights, OptimizerHelper optimizer)
    {
        var final = Path.Combine(Folder, EpochPrefix + state.Epoch.ToString("D4", CultureInfo.InvariantCulture));
        var partial = final + PartialSuffix;
        if (Directory.Exists(partial))
        {
            Directory.Delete(partial, recursive: true);
        }
        Directory.CreateDirectory(partial);
        WriteTensors(Path.Combine(partial, WeightsFile), network.state_dict());
        if (bestWeights is not null)
        {
            WriteTensors(Path.Combine(partial, BestWeightsFile), bestWeights);
        }
        optimizer.save_state_dict(Path.Combine(partial, OptimizerFile));
        File.WriteAllText(Path.Combine(partial, StateFile), JsonSerializer.Serialize(state, JsonOptions));
        if (Directory.Exists(final))
        {
            Directory.Delete(final, recursive: true);
        }
        Directory.Move(partial, final);
        foreach (var older in Directory.GetDirectories(Folder, EpochPrefix + "*").Where(path => path != final))
        {
            Directory.Delete(older, recursive: true);
        }
    }

    /// <summary>
    /// The newest checkpoint's state, with its weights and Adam's state loaded into <paramref name="network"/> and
    /// <paramref name="optimizer"/> and its best weights (null when it kept none); null when there is no checkpoint.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">The checkpoint belongs to other data, another split or other options.</exception>
    internal (CheckpointState State, Dictionary<string, Tensor>? BestWeights)? Load(nn.Module network, OptimizerHelper optimizer)
    {
        if (LatestEpochFolder() is not { } folder)
        {
            return null;
        }
        var state = ReadState(folder);
        if (state.Identity.DifferenceFrom(Identity) is { } difference)
        {
            throw new CheckpointMismatchException(
                $"The checkpoint in {folder} cannot be resumed: {difference}. Delete the folder, or give another --checkpoint-dir.");
        }
        var target = network.state_dict();
        ReadTensors(Path.Combine(folder, WeightsFile), target);
        optimizer.load_state_dict(Path.Combine(folder, OptimizerFile));
        Dictionary<string, Tensor>? best = null;
        var bestPath = Path.Combine(folder, BestWeightsFile);
        if (File.Exists(bestPath))
        {
            best = target.ToDictionary(pair => pair.Key, pair => pair.Value.detach().clone().DetachFromDisposeScope());
            ReadTensors(bestPath, best);
        }
        return (state, best);
    }

    /// <summary>Why the newest checkpoint cannot be resumed by this run (other data, split or options); null when it can or there is none.</summary>
    public string? Mismatch() => LatestEpochFolder() is { } folder ? ReadState(folder).Identity.DifferenceFrom(Identity) : null;

    private static CheckpointState ReadState(string folder)
    {
        var path = Path.Combine(folder, StateFile);
        try
        {
            return JsonSerializer.Deserialize<CheckpointState>(File.ReadAllText(path), JsonOptions) ?? throw new InvalidDataException("JSON null");
        }
        catch (Exception error) when (error is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: not a training checkpoint state ({error.Message}).", error);
        }
    }

    /// <summary>Each tensor as its name, element count and raw bytes (the shapes are the network's own).</summary>
    private static void WriteTensors(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        using var writer = new BinaryWriter(File.Create(path));
        foreach (var (name, value) in tensors.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            using var contiguous = value.detach().cpu().contiguous();
            writer.Write(name);
            writer.Write(contiguous.numel());
            writer.Write(contiguous.bytes);
        }
    }

    private static void ReadTensors(string path, IReadOnlyDictionary<string, Tensor> into)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        var read = 0;
        using var noGrad = no_grad();
        while (reader.BaseStream.Position < reader.BaseStream.Length)
        {
            var name = reader.ReadString();
            var count = reader.ReadInt64();
            if (!into.TryGetValue(name, out var target) || target.numel() != count)
            {
                throw new InvalidDataException($"{path}: tensor '{name}' ({count} values) does not fit the network.");
            }
            var bytes = reader.ReadBytes(checked((int)(count * target.ElementSize)));
            using var loaded = empty_like(target, device: CPU);
            loaded.bytes = bytes;
            target.copy_(loaded);
            read++;
        }
        if (read != into.Count)
        {
            throw new InvalidDataException($"{path}: holds {read} tensors, the network has {into.Count}.");
        }
    }
}

/// <summary>A checkpoint that belongs to other data, another split or other options than the run that found it.</summary>
public sealed class CheckpointMismatchException(string message) : InvalidOperationException(message);
