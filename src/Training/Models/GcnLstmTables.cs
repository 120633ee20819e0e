namespace Recommender.Training.Models;

/// <summary>One LSTM layer in PyTorch layout (gate order i, f, g, o): WeightIh [4H, in], WeightHh [4H, H], biases [4H].</summary>
public sealed record LstmLayerTables(float[] WeightIh, float[] WeightHh, float[] BiasIh, float[] BiasHh);

/// <summary>
/// The trained gcn-lstm reduced to the inference tables of ARCH.md (float32, row-major, no TorchSharp types).
/// Same fields as Recommender.Training.Export.GcnLstmInferenceWeights, into which it is converted at export.
/// </summary>
public sealed record GcnLstmTables
{
    public required int Dim { get; init; }
    public required int Hidden { get; init; }
    public required int Layers { get; init; }
    public required int MaxHistory { get; init; }

    /// <summary>E [MovieCount, Dim]: final graph-convolved, feature-enriched movie embeddings.</summary>
    public required float[] MovieTable { get; init; }
    public required int MovieCount { get; init; }

    /// <summary>G [UserCount, Dim]: final graph user embeddings.</summary>
    public required float[] UserTable { get; init; }
    public required int UserCount { get; init; }

    /// <summary>a [Dim]: graph part for users not in the graph.</summary>
    public required float[] Anonymous { get; init; }

    public required LstmLayerTables[] Lstm { get; init; }

    /// <summary>Ws [Dim, Hidden], bs [Dim].</summary>
    public required float[] ProjectionWeight { get; init; }
    public required float[] ProjectionBias { get; init; }

    /// <summary>Wz [Dim, 2·Dim] over [g ; s], bz [Dim].</summary>
    public required float[] GateWeight { get; init; }
    public required float[] GateBias { get; init; }
}
