using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Recommender.Training.Models;

/// <summary>
/// One network for every model kind: a graph encoder (K = 0 for bpr and lstm), an optional sequence encoder and
/// fusion gate, the anonymous-user vector and an optional rating head. The user vector is
/// gcn-lstm: gate(g, s); lightgcn and bpr: g; lstm: s. Scores are u · E[i].
/// </summary>
internal sealed class RecommenderNetwork : nn.Module
{
    private readonly GraphEncoder graph;
    private readonly SequenceEncoder? sequence;
    private readonly FusionGate? fusion;
    private readonly Parameter? anonymous;
    private readonly RatingHead? rating;
    private readonly Embedding? sequenceItems;
    private readonly Embedding? transitions;

    public RecommenderNetwork(NetworkShape shape, double initStd) : base(nameof(RecommenderNetwork))
    {
        Shape = shape;
        graph = new GraphEncoder(shape, initStd);
        if (shape.Kind.UsesSequence())
        {
            sequence = new SequenceEncoder(shape);
        }
        if (shape.Kind == ModelKind.GcnLstm)
        {
            fusion = new FusionGate(shape.Dim);
            anonymous = new Parameter(zeros(shape.Dim));
            if (shape.SequenceDim > 0)
            {
                sequenceItems = nn.Embedding(shape.ItemCount, shape.SequenceDim);
                nn.init.normal_(sequenceItems.weight!, 0, initStd);
            }
        }
        if (shape.Transitions)
        {
            transitions = nn.Embedding(shape.ItemCount, shape.Dim);
            nn.init.zeros_(transitions.weight!);
        }
        if (shape.HasRatingHead)
        {
            rating = new RatingHead(shape);
        }
        RegisterComponents();
    }

    public NetworkShape Shape { get; }
    public GraphEncoder Graph => graph;
    public SequenceEncoder? Sequence => sequence;
    public FusionGate? Fusion => fusion;
    public RatingHead? Rating => rating;

    /// <summary>The sequence part's own movie columns (the last SequenceDim of E); null without them.</summary>
    public Parameter? SequenceItems => sequenceItems?.weight;

    /// <summary>The first-order transition table T [N, Dim]; null without it.</summary>
    public Parameter? Transitions => transitions?.weight;

    /// <summary>T rows of the given movies ([...] indices → [..., Dim]), or null when the network has no table.</summary>
    public Tensor? Transition(Tensor lastItems) => transitions?.call(lastItems);

    /// <summary>
    /// <see cref="Transition"/> rows [P, Dim] for training positions: zero where <paramref name="keep"/> ([P], 1 or 0)
    /// dropped the input movie, and each row left out with probability <paramref name="dropout"/> (inverted dropout),
    /// so that the LSTM must predict those positions without the memorised successor.
    /// </summary>
    public Tensor? TrainingTransition(Tensor lastItems, Tensor? keep, double dropout)
    {
        var rows = Transition(lastItems);
        if (rows is null)
        {
            return null;
        }
        if (keep is not null)
        {
            rows = rows * keep.unsqueeze(1);
        }
        if (dropout > 0)
        {
            rows = rows * (rand(rows.shape[0], 1, device: rows.device) >= dropout).to_type(ScalarType.Float32) / (1 - dropout);
        }
        return rows;
    }

    /// <summary>The vector standing in for g when the user is not in the graph (gcn-lstm only).</summary>
    public Parameter? Anonymous => anonymous;

    /// <summary>
    /// The user table G [U, Dim] (null without users) and the movie table E [N, Dim]: the graph encoder's, with the
    /// sequence part's own movie columns appended to E and zero columns to G when the shape has SequenceDim.
    /// <paramref name="neighbourhood"/> and <paramref name="keptNeighbourhood"/>: see <see cref="GraphEncoder.Encode"/>.
    /// </summary>
    public (Tensor? Users, Tensor Items) Encode(GraphInputs inputs, Tensor? neighbourhood = null, Action<Tensor>? keptNeighbourhood = null)
    {
        var (users, items) = graph.Encode(inputs, neighbourhood, keptNeighbourhood);
        if (sequenceItems is null)
        {
            return (users, items);
        }
        return (users is null ? null : nn.functional.pad(users, [0, Shape.SequenceDim]), cat([items, sequenceItems.weight!], 1));
    }

    /// <summary>
    /// Movie embeddings fed to the LSTM: [B, T] indices → [B, T, D]. <paramref name="keep"/> ([B, T], 1 or 0), when
    /// given, zeroes the dropped history items (training only).
    /// </summary>
    public static Tensor SequenceInputs(Tensor items, Tensor histories, Tensor? keep)
    {
        var embedded = items.index_select(0, histories.flatten()).view(histories.shape[0], histories.shape[1], -1);
        return keep is null ? embedded : embedded * keep.unsqueeze(-1);
    }

    /// <summary>
    /// The fold-in graph part of a session at every step (TrainingOptions.SessionFoldIn): a + the mean of E over the
    /// history up to and including that step, [B, T, D]. <paramref name="valid"/> ([B, T], 1 or 0) marks the steps
    /// that count.
    /// </summary>
    public Tensor FoldIn(Tensor items, Tensor histories, Tensor valid)
    {
        var sums = SequenceInputs(items, histories, valid).cumsum(1);
        return anonymous! + sums / valid.cumsum(1).clamp_min(1).unsqueeze(-1);
    }

    /// <summary>
    /// User vectors from the graph part [..., D] (null for lstm) and the sequence part [..., D] (null for bpr and
    /// lightgcn); both given for gcn-lstm. <paramref name="transitionPart"/> (<see cref="Transition"/> of each row's last
    /// movie, null without the table) is added to the result.
    /// </summary>
    public Tensor Combine(Tensor? graphPart, Tensor? sequencePart, Tensor? transitionPart)
    {
        var combined = fusion is not null
            ? fusion.Fuse(graphPart!, sequencePart!)
            : graphPart ?? sequencePart ?? throw new InvalidOperationException("A user vector needs a graph or a sequence part.");
        return transitionPart is null ? combined : combined + transitionPart;
    }
}
