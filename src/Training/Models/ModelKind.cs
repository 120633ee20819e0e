namespace Recommender.Training.Models;

/// <summary>The models the trainer builds; all share one harness, so the baselines are ablations of the full model.</summary>
public enum ModelKind
{
    /// <summary>Matrix factorisation trained with BPR (one sampled negative per positive).</summary>
    Bpr,

    /// <summary>Graph convolution only: the user vector is the user's graph embedding.</summary>
    LightGcn,

    /// <summary>Sequence only (GRU4Rec-style with an LSTM): item id embeddings into the LSTM, no graph.</summary>
    Lstm,

    /// <summary>Graph-convolved movie embeddings into an LSTM, fused with the graph user embedding by a gate.</summary>
    GcnLstm,
}

public static class ModelKinds
{
    private static readonly (string Name, ModelKind Kind)[] Names =
    [
        ("bpr", ModelKind.Bpr),
        ("lightgcn", ModelKind.LightGcn),
        ("lstm", ModelKind.Lstm),
        ("gcn-lstm", ModelKind.GcnLstm),
    ];

    public static IReadOnlyList<string> All { get; } = Names.Select(n => n.Name).ToArray();

    public static ModelKind Parse(string name, string parameterName = "modelName")
    {
        foreach (var (candidate, kind) in Names)
        {
            if (string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase))
            {
                return kind;
            }
        }
        throw new ArgumentException($"Unknown model '{name}'; expected one of: {string.Join(", ", All)}.", parameterName);
    }

    public static string Name(this ModelKind kind) => Names.First(n => n.Kind == kind).Name;

    public static bool UsesGraph(this ModelKind kind) => kind is ModelKind.LightGcn or ModelKind.GcnLstm;

    public static bool UsesSequence(this ModelKind kind) => kind is ModelKind.Lstm or ModelKind.GcnLstm;

    public static bool HasUserEmbeddings(this ModelKind kind) => kind != ModelKind.Lstm;
}
