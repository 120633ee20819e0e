using Recommender.Training.Models;
using Recommender.Training.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Export;

/// <summary>One LSTM layer's weights in PyTorch layout (gate order i, f, g, o), row-major.</summary>
public sealed class LstmLayerWeights
{
    /// <summary>[4H, in] where in = D for layer 0 and H above it.</summary>
    public required float[] WeightIh { get; init; }

    /// <summary>[4H, H].</summary>
    public required float[] WeightHh { get; init; }

    /// <summary>[4H].</summary>
    public required float[] BiasIh { get; init; }

    /// <summary>[4H].</summary>
    public required float[] BiasHh { get; init; }
}

/// <summary>
/// A trained GCN+LSTM model reduced to the float32 tables and dense weights needed at inference time
/// (docs/architecture.md). Row-major everywhere; no TorchSharp types.
/// </summary>
public sealed class GcnLstmInferenceWeights
{
    /// <summary>The inference tables of a gcn-lstm model (docs/architecture.md, "The inference contract").</summary>
    public static GcnLstmInferenceWeights From(TrainedModel trained)
    {
        ArgumentNullException.ThrowIfNull(trained);
        if (trained.Kind != ModelKind.GcnLstm || trained.UserTable is not { } users)
        {
            throw new InvalidOperationException($"Inference tables exist only for gcn-lstm, not {trained.ModelName}.");
        }
        var sequence = trained.Network.Sequence!;
        var lstmParameters = sequence.Lstm.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var layers = new LstmLayerWeights[trained.Shape.LstmLayers];
        for (var layer = 0; layer < layers.Length; layer++)
        {
            layers[layer] = new LstmLayerWeights
            {
                WeightIh = ToArray(lstmParameters[$"weight_ih_l{layer}"]),
                WeightHh = ToArray(lstmParameters[$"weight_hh_l{layer}"]),
                BiasIh = ToArray(lstmParameters[$"bias_ih_l{layer}"]),
                BiasHh = ToArray(lstmParameters[$"bias_hh_l{layer}"]),
            };
        }
        return new GcnLstmInferenceWeights
        {
            Dim = trained.Shape.Dim,
            Hidden = trained.Shape.Hidden,
            Layers = trained.Shape.LstmLayers,
            MaxHistory = trained.Options.MaxHistory,
            MovieTable = ToArray(trained.ItemTable),
            MovieCount = trained.Shape.ItemCount,
            UserTable = ToArray(users),
            UserCount = trained.Shape.UserCount,
            Anonymous = ToArray(trained.Network.Anonymous!),
            SessionFoldIn = trained.Options.SessionFoldIn,
            Lstm = layers,
            ProjectionWeight = ToArray(sequence.Projection.weight!),
            ProjectionBias = ToArray(sequence.Projection.bias!),
            GateWeight = ToArray(trained.Network.Fusion!.Gate.weight!),
            GateBias = ToArray(trained.Network.Fusion.Gate.bias!),
            TransitionTable = trained.Network.Transitions is { } transitions ? ToArray(transitions) : null,
        };
    }

    private static float[] ToArray(Tensor tensor)
    {
        using var noGrad = no_grad();
        using var cpu = tensor.detach().cpu().contiguous();
        return cpu.data<float>().ToArray();
    }

    /// <summary>D: embedding size of movies, users and the user vector.</summary>
    public required int Dim { get; init; }

    /// <summary>H: LSTM hidden size.</summary>
    public required int Hidden { get; init; }

    public required int Layers { get; init; }

    /// <summary>L: the most recent history steps the model reads.</summary>
    public required int MaxHistory { get; init; }

    /// <summary>E [MovieCount, Dim].</summary>
    public required float[] MovieTable { get; init; }

    public required int MovieCount { get; init; }

    /// <summary>G [UserCount, Dim].</summary>
    public required float[] UserTable { get; init; }

    public required int UserCount { get; init; }

    /// <summary>a [Dim]: the graph part for users outside the graph.</summary>
    public required float[] Anonymous { get; init; }

    /// <summary>A session's graph part is a + the mean of the movie table over the history it reads (else a alone).</summary>
    public bool SessionFoldIn { get; init; }

    public required LstmLayerWeights[] Lstm { get; init; }

    /// <summary>Ws [Dim, Hidden].</summary>
    public required float[] ProjectionWeight { get; init; }

    /// <summary>bs [Dim].</summary>
    public required float[] ProjectionBias { get; init; }

    /// <summary>Wz [Dim, 2 * Dim], applied to [g ; s].</summary>
    public required float[] GateWeight { get; init; }

    /// <summary>bz [Dim].</summary>
    public required float[] GateBias { get; init; }

    /// <summary>T [MovieCount, Dim]: T[the history's last movie] is added to the user vector; null when the model has none.</summary>
    public float[]? TransitionTable { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first field whose size disagrees with the dimensions.</summary>
    public void Validate()
    {
        RequirePositive(Dim, nameof(Dim));
        RequirePositive(Hidden, nameof(Hidden));
        RequirePositive(Layers, nameof(Layers));
        RequirePositive(MaxHistory, nameof(MaxHistory));
        RequirePositive(MovieCount, nameof(MovieCount));
        if (UserCount < 0)
        {
            throw new ArgumentException($"{nameof(UserCount)} must not be negative, got {UserCount}.", nameof(UserCount));
        }
        RequireLength(MovieTable, (long)MovieCount * Dim, nameof(MovieTable), $"{nameof(MovieCount)} x {nameof(Dim)}");
        RequireLength(UserTable, (long)UserCount * Dim, nameof(UserTable), $"{nameof(UserCount)} x {nameof(Dim)}");
        RequireLength(Anonymous, Dim, nameof(Anonymous), nameof(Dim));
        if (Lstm is null || Lstm.Length != Layers)
        {
            throw new ArgumentException($"{nameof(Lstm)} must hold {Layers} layers, got {Lstm?.Length ?? 0}.", nameof(Lstm));
        }
        for (var layer = 0; layer < Layers; layer++)
        {
            var inputSize = layer == 0 ? Dim : Hidden;
            var weights = Lstm[layer] ?? throw new ArgumentException($"{nameof(Lstm)}[{layer}] is null.", nameof(Lstm));
            var prefix = $"{nameof(Lstm)}[{layer}].";
            RequireLength(weights.WeightIh, 4L * Hidden * inputSize, prefix + nameof(LstmLayerWeights.WeightIh), $"4H x {(layer == 0 ? "D" : "H")}");
            RequireLength(weights.WeightHh, 4L * Hidden * Hidden, prefix + nameof(LstmLayerWeights.WeightHh), "4H x H");
            RequireLength(weights.BiasIh, 4L * Hidden, prefix + nameof(LstmLayerWeights.BiasIh), "4H");
            RequireLength(weights.BiasHh, 4L * Hidden, prefix + nameof(LstmLayerWeights.BiasHh), "4H");
        }
        RequireLength(ProjectionWeight, (long)Dim * Hidden, nameof(ProjectionWeight), "D x H");
        RequireLength(ProjectionBias, Dim, nameof(ProjectionBias), "D");
        RequireLength(GateWeight, 2L * Dim * Dim, nameof(GateWeight), "D x 2D");
        RequireLength(GateBias, Dim, nameof(GateBias), "D");
        if (TransitionTable is not null)
        {
            RequireLength(TransitionTable, (long)MovieCount * Dim, nameof(TransitionTable), $"{nameof(MovieCount)} x {nameof(Dim)}");
        }
    }

    private static void RequirePositive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"{name} must be positive, got {value}.", name);
        }
    }

    private static void RequireLength(float[]? values, long expected, string name, string shape)
    {
        if (values is null)
        {
            throw new ArgumentException($"{name} is null; expected {expected} values ({shape}).", name);
        }
        if (values.LongLength != expected)
        {
            throw new ArgumentException($"{name} has {values.LongLength} values; expected {expected} ({shape}).", name);
        }
    }
}
