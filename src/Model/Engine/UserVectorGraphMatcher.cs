using Onnx;

namespace Recommender.Model.Engine;

/// <summary>A graph (or part of one) that <see cref="CompiledUserVectorGraph"/> does not implement; the message says where and why.</summary>
internal sealed class UnsupportedGraphException(string message) : Exception(message);

/// <summary>One LSTM layer in ONNX layout (gate order i, o, f, c), hidden size H.</summary>
/// <param name="InputWeight">W [4H, inputSize].</param>
/// <param name="RecurrentWeight">R [4H, H].</param>
/// <param name="Bias">B = [Wb ; Rb], [8H].</param>
internal sealed record OnnxLstmLayer(int InputSize, int Hidden, float[] InputWeight, float[] RecurrentWeight, float[] Bias);

/// <summary>The weights of a recognised user-vector graph, as its initializers hold them.</summary>
/// <param name="Layers">Bottom layer first.</param>
/// <param name="ProjectionWeight">[D, H of the top layer].</param>
/// <param name="GateWeight">[D, 2D].</param>
/// <param name="TransitionTable">T [movies, D], whose row for the history's last movie is added to the user vector; null without it.</param>
internal sealed record UserVectorGraphWeights(
    int Dim,
    int MovieCount,
    float[] MovieTable,
    OnnxLstmLayer[] Layers,
    float[] ProjectionWeight,
    float[] ProjectionBias,
    float[] GateWeight,
    float[] GateBias,
    float[]? TransitionTable);

/// <summary>
/// Recognises, node by node, the user-vector graph that the training side's ONNX graph builder writes
/// (see <see cref="UserVectorGraph"/>), working back from the output:
/// Transpose(history, perm 1,0) → Gather(movie table, axis 0) → LSTM × layers (Squeeze axis 1 between layers)
/// → Squeeze(Y_h, axis 0) → Gemm(projection, transB 1) = s; Concat(user_embedding, s, axis 1) → Gemm(gate, transB 1)
/// → Sigmoid = z; user_vector = s + z ⊙ (user_embedding − s), plus, when the model has a transition table T,
/// Gather(T, Squeeze(GatherElements(history, Unsqueeze(Sub(Cast(lengths, int64), 1), axis 1), axis 1), axis 1)),
/// the row of each history's last movie.
/// Every attribute that could change what a node computes is checked; anything else is refused with an
/// <see cref="UnsupportedGraphException"/> naming the node and the attribute, input or initializer.
/// </summary>
internal sealed partial class UserVectorGraphMatcher
{
    /// <summary>
    /// Opsets whose definitions of the nodes above are the ones implemented: LSTM gained <c>layout</c> in 14; later
    /// versions up to 23 only widened the accepted element types.
    /// </summary>
    private const long MinOpset = 14, MaxOpset = 23;

    private static readonly string[] DefaultActivations = ["Sigmoid", "Tanh", "Tanh"];

    private readonly GraphProto _graph;
    private readonly int _dim;
    private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (NodeProto Node, int Output)> _producers = new(StringComparer.Ordinal);
    private readonly HashSet<NodeProto> _matched = new(ReferenceEqualityComparer.Instance);

    private UserVectorGraphMatcher(GraphProto graph, int dim)
    {
        _graph = graph;
        _dim = dim;
    }

    /// <exception cref="UnsupportedGraphException">The graph is not the recognised one.</exception>
    public static UserVectorGraphWeights Match(ModelProto model, int dim)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        if (model.Graph is null)
        {
            throw new UnsupportedGraphException("the model has no graph");
        }
        var opset = model.OpsetImport.Where(import => import.Domain is "" or "ai.onnx").Select(import => (long?)import.Version).FirstOrDefault();
        if (opset is null or < MinOpset or > MaxOpset)
        {
            throw new UnsupportedGraphException($"default-domain opset {opset?.ToString() ?? "missing"} is outside the supported {MinOpset}..{MaxOpset}");
        }
        return new UserVectorGraphMatcher(model.Graph, dim).Match();
    }

    private UserVectorGraphWeights Match()
    {
        IndexGraph();
        CheckInterface();

        var add = Producer(UserVectorGraph.UserVectorOutput, "Add", "the user vector");
        RequireShape(add, inputs: 2, attributes: []);
        NodeProto? transitionGather = null;
        if (IsProducedBy(add.Input[0], "Gather") || IsProducedBy(add.Input[1], "Gather"))
        {
            var gatherFirst = IsProducedBy(add.Input[0], "Gather");
            transitionGather = Producer(add.Input[gatherFirst ? 0 : 1], "Gather", "the transition vector");
            MatchLastMovie(transitionGather);
            add = Producer(add.Input[gatherFirst ? 1 : 0], "Add", "the fused user vector");
            RequireShape(add, inputs: 2, attributes: []);
        }
        var mulFirst = IsProducedBy(add.Input[0], "Mul");
        var mul = Producer(add.Input[mulFirst ? 0 : 1], "Mul", "the gated difference");
        var sequenceVector = add.Input[mulFirst ? 1 : 0];
        RequireShape(mul, inputs: 2, attributes: []);
        var sigmoidFirst = IsProducedBy(mul.Input[0], "Sigmoid");
        var sigmoid = Producer(mul.Input[sigmoidFirst ? 0 : 1], "Sigmoid", "the fusion gate");
        var sub = Producer(mul.Input[sigmoidFirst ? 1 : 0], "Sub", "user_embedding - sequence vector");
        RequireShape(sigmoid, inputs: 1, attributes: []);
        RequireShape(sub, inputs: 2, attributes: []);
        RequireInputs(sub, UserVectorGraph.UserEmbeddingInput, sequenceVector);

        var gateGemm = Producer(sigmoid.Input[0], "Gemm", "the fusion gate logits");
        CheckGemm(gateGemm);
        var concat = Producer(gateGemm.Input[0], "Concat", "the fusion gate input");
        RequireShape(concat, inputs: 2, attributes: ["axis"]);
        RequireInputs(concat, UserVectorGraph.UserEmbeddingInput, sequenceVector);
        var concatAxis = IntAttribute(concat, "axis", null);
        if (concatAxis is not (1 or -1))
        {
            throw Refuse(concat, $"attribute 'axis' is {concatAxis?.ToString() ?? "missing"}; expected 1");
        }

        var projection = Producer(sequenceVector, "Gemm", "the sequence vector");
        CheckGemm(projection);
        var finalSqueeze = Producer(projection.Input[0], "Squeeze", "the last hidden state");
        CheckSqueeze(finalSqueeze, axis: 0);

        var layersTopDown = new List<OnnxLstmLayer>();
        var lstm = Producer(finalSqueeze.Input[0], "LSTM", "the last hidden state", output: 1);
        var visited = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        while (true)
        {
            if (!visited.Add(lstm))
            {
                throw Refuse(lstm, "feeds itself through the stacked layers (the graph has a cycle)");
            }
            var layer = ReadLstm(lstm);
            if (layersTopDown.Count > 0 && layersTopDown[^1].InputSize != layer.Hidden)
            {
                throw Refuse(lstm, $"hidden_size {layer.Hidden} differs from the input size {layersTopDown[^1].InputSize} of the layer above");
            }
            layersTopDown.Add(layer);
            if (IsProducedBy(lstm.Input[0], "Gather"))
            {
                break;
            }
            var between = Producer(lstm.Input[0], "Squeeze", $"the input of {Describe(lstm)}");
            CheckSqueeze(between, axis: 1);
            lstm = Producer(between.Input[0], "LSTM", $"the input of {Describe(between)}", output: 0);
        }
        if (layersTopDown[^1].InputSize != _dim)
        {
            throw Refuse(lstm, $"input size {layersTopDown[^1].InputSize} differs from dim {_dim}");
        }

        var gather = Producer(lstm.Input[0], "Gather", "the first LSTM input");
        RequireShape(gather, inputs: 2, attributes: ["axis"]);
        if (IntAttribute(gather, "axis", 0) != 0)
        {
            throw Refuse(gather, $"attribute 'axis' is {IntAttribute(gather, "axis", 0)}; expected 0");
        }
        var movieTableDims = Dims(gather.Input[0], gather, "the movie table");
        if (movieTableDims.Length != 2 || movieTableDims[1] != _dim || movieTableDims[0] is < 1 or > int.MaxValue)
        {
            throw Refuse(gather, $"initializer '{gather.Input[0]}' has shape [{string.Join(", ", movieTableDims)}]; expected [movies, {_dim}]");
        }
        var movieCount = (int)movieTableDims[0];
        var movieTable = FloatInitializer(gather.Input[0], gather, movieCount, _dim);

        var transpose = Producer(gather.Input[1], "Transpose", "the time-major history");
        RequireShape(transpose, inputs: 1, attributes: ["perm"]);
        RequireInputs(transpose, UserVectorGraph.HistoryInput);
        if (transpose.Attribute.Count == 1 && !Ints(transpose, "perm").SequenceEqual([1L, 0L]))
        {
            throw Refuse(transpose, $"attribute 'perm' is [{string.Join(", ", Ints(transpose, "perm"))}]; expected [1, 0]");
        }

        var hidden = layersTopDown[0].Hidden;
        var weights = new UserVectorGraphWeights(
            _dim,
            movieCount,
            movieTable,
            [.. Enumerable.Reverse(layersTopDown)],
            FloatInitializer(projection.Input[1], projection, _dim, hidden),
            BiasInitializer(projection),
            FloatInitializer(gateGemm.Input[1], gateGemm, _dim, 2 * _dim),
            BiasInitializer(gateGemm),
            transitionGather is null ? null : FloatInitializer(transitionGather.Input[0], transitionGather, movieCount, _dim));

        var unmatched = _graph.Node.FirstOrDefault(node => !_matched.Contains(node));
        if (unmatched is not null)
        {
            throw Refuse(unmatched, "is not part of the recognised user-vector graph");
        }
        return weights;
    }

    /// <summary>
    /// Gather(T, axis 0) of the history's last movie: Squeeze(GatherElements(history, Unsqueeze(Sub(Cast(lengths, to
    /// int64), [1]), [1]), axis 1), [1]). The table's shape is checked against the movie table's when it is read.
    /// </summary>
    private void MatchLastMovie(NodeProto gather)
    {
        RequireShape(gather, inputs: 2, attributes: ["axis"]);
        if (IntAttribute(gather, "axis", 0) != 0)
        {
            throw Refuse(gather, $"attribute 'axis' is {IntAttribute(gather, "axis", 0)}; expected 0");
        }
        var squeeze = Producer(gather.Input[1], "Squeeze", "the last movie");
        CheckSqueeze(squeeze, axis: 1);
        var pick = Producer(squeeze.Input[0], "GatherElements", "the last movie column");
        RequireShape(pick, inputs: 2, attributes: ["axis"]);
        if (IntAttribute(pick, "axis", 0) is not (1 or -1))
        {
            throw Refuse(pick, $"attribute 'axis' is {IntAttribute(pick, "axis", 0)}; expected 1");
        }
        if (pick.Input[0] != UserVectorGraph.HistoryInput)
        {
            throw Refuse(pick, $"input 'data' is '{pick.Input[0]}'; expected the graph input '{UserVectorGraph.HistoryInput}'");
        }
        var unsqueeze = Producer(pick.Input[1], "Unsqueeze", "the last step column");
        CheckSqueeze(unsqueeze, axis: 1);
        var sub = Producer(unsqueeze.Input[0], "Sub", "the last step");
        RequireShape(sub, inputs: 2, attributes: []);
        var subtrahend = Int64Initializer(sub.Input[1], sub);
        if (!subtrahend.SequenceEqual([1L]))
        {
            throw Refuse(sub, $"input B ('{sub.Input[1]}') is [{string.Join(", ", subtrahend)}]; expected [1]");
        }
        var cast = Producer(sub.Input[0], "Cast", "the lengths as int64");
        RequireShape(cast, inputs: 1, attributes: ["to"]);
        RequireInputs(cast, UserVectorGraph.LengthsInput);
        if (IntAttribute(cast, "to", null) != (long)TensorProto.Types.DataType.Int64)
        {
            throw Refuse(cast, $"attribute 'to' is {IntAttribute(cast, "to", null)?.ToString() ?? "missing"}; expected INT64");
        }
    }

    private void IndexGraph()
    {
        foreach (var initializer in _graph.Initializer)
        {
            if (!_initializers.TryAdd(initializer.Name, initializer))
            {
                throw new UnsupportedGraphException($"initializer '{initializer.Name}' is defined twice");
            }
        }
        foreach (var node in _graph.Node)
        {
            for (var output = 0; output < node.Output.Count; output++)
            {
                var name = node.Output[output];
                if (name.Length > 0 && !_producers.TryAdd(name, (node, output)))
                {
                    throw Refuse(node, $"output '{name}' is also produced by {Describe(_producers[name].Node)}");
                }
            }
        }
    }

    /// <summary>The inputs the compiled graph is fed (and nothing else that a caller could set) and the single output.</summary>
    private void CheckInterface()
    {
        var inputs = _graph.Input.Where(input => !_initializers.ContainsKey(input.Name)).ToDictionary(input => input.Name, StringComparer.Ordinal);
        string[] expected = [UserVectorGraph.HistoryInput, UserVectorGraph.LengthsInput, UserVectorGraph.UserEmbeddingInput];
        var unexpected = inputs.Keys.Except(expected).FirstOrDefault();
        if (unexpected is not null)
        {
            throw new UnsupportedGraphException($"graph input '{unexpected}' is not one of {string.Join(", ", expected)}");
        }
        CheckInput(inputs, UserVectorGraph.HistoryInput, TensorProto.Types.DataType.Int64, rank: 2, lastDim: null);
        CheckInput(inputs, UserVectorGraph.LengthsInput, TensorProto.Types.DataType.Int32, rank: 1, lastDim: null);
        CheckInput(inputs, UserVectorGraph.UserEmbeddingInput, TensorProto.Types.DataType.Float, rank: 2, lastDim: _dim);
        if (_graph.Output.Count != 1 || _graph.Output[0].Name != UserVectorGraph.UserVectorOutput)
        {
            throw new UnsupportedGraphException($"graph outputs are [{string.Join(", ", _graph.Output.Select(output => output.Name))}]; expected [{UserVectorGraph.UserVectorOutput}]");
        }
    }

    private static void CheckInput(Dictionary<string, ValueInfoProto> inputs, string name, TensorProto.Types.DataType elementType, int rank, int? lastDim)
    {
        if (!inputs.TryGetValue(name, out var input))
        {
            throw new UnsupportedGraphException($"graph input '{name}' is missing");
        }
        var tensor = input.Type?.TensorType;
        if (tensor is null || tensor.ElemType != (int)elementType)
        {
            throw new UnsupportedGraphException($"graph input '{name}' is not a {elementType} tensor");
        }
        if (tensor.Shape is { } shape && (shape.Dim.Count != rank || (lastDim is not null && shape.Dim[^1].DimValue is not 0 && shape.Dim[^1].DimValue != lastDim)))
        {
            throw new UnsupportedGraphException($"graph input '{name}' has shape [{string.Join(", ", shape.Dim.Select(dim => dim.DimParam is { Length: > 0 } param ? param : dim.DimValue.ToString()))}]; expected rank {rank}{(lastDim is null ? "" : $" ending in {lastDim}")}");
        }
    }

    /// <summary>Reads one LSTM node: forward only, default activations, no clip, no peepholes, no initial state, time-major.</summary>
    private OnnxLstmLayer ReadLstm(NodeProto lstm)
    {
        RequireShape(lstm, inputs: null, attributes: ["hidden_size", "direction", "activations", "input_forget", "layout"]);
        string[] optionalInputs = ["initial_h", "initial_c", "P"];
        for (var index = 5; index < lstm.Input.Count; index++)
        {
            if (lstm.Input[index].Length > 0)
            {
                throw Refuse(lstm, $"input '{optionalInputs[index - 5]}' ('{lstm.Input[index]}') is not supported");
            }
        }
        if (lstm.Input.Count < 5 || lstm.Input[3].Length == 0)
        {
            throw Refuse(lstm, "has no bias input 'B' or no 'sequence_lens'");
        }
        if (lstm.Input[4] != UserVectorGraph.LengthsInput)
        {
            throw Refuse(lstm, $"input 'sequence_lens' is '{lstm.Input[4]}'; expected the graph input '{UserVectorGraph.LengthsInput}'");
        }
        var direction = StringAttribute(lstm, "direction", "forward");
        if (direction != "forward")
        {
            throw Refuse(lstm, $"attribute 'direction' is '{direction}'; only 'forward' is supported");
        }
        var activations = lstm.Attribute.FirstOrDefault(attribute => attribute.Name == "activations");
        if (activations is not null)
        {
            var names = activations.Strings.Select(value => value.ToStringUtf8()).ToArray();
            if (!names.SequenceEqual(DefaultActivations))
            {
                throw Refuse(lstm, $"attribute 'activations' is [{string.Join(", ", names)}]; only [{string.Join(", ", DefaultActivations)}] is supported");
            }
        }
        foreach (var name in new[] { "input_forget", "layout" })
        {
            if (IntAttribute(lstm, name, 0) != 0)
            {
                throw Refuse(lstm, $"attribute '{name}' is {IntAttribute(lstm, name, 0)}; only 0 is supported");
            }
        }
        var hiddenSize = IntAttribute(lstm, "hidden_size", null);
        if (hiddenSize is null or <= 0 or > int.MaxValue / 8)
        {
            throw Refuse(lstm, $"attribute 'hidden_size' is {hiddenSize?.ToString() ?? "missing"}");
        }
        var hidden = (int)hiddenSize;
        var inputDims = Dims(lstm.Input[1], lstm, "W");
        if (inputDims.Length != 3 || inputDims[2] is < 1 or > int.MaxValue)
        {
            throw Refuse(lstm, $"initializer '{lstm.Input[1]}' (input 'W') has shape [{string.Join(", ", inputDims)}]; expected [1, {4 * hidden}, input size]");
        }
        var inputSize = (int)inputDims[2];
        return new OnnxLstmLayer(
            inputSize,
            hidden,
            FloatInitializer(lstm.Input[1], lstm, 1, 4 * hidden, inputSize),
            FloatInitializer(lstm.Input[2], lstm, 1, 4 * hidden, hidden),
            FloatInitializer(lstm.Input[3], lstm, 1, 8 * hidden));
    }

    private void CheckGemm(NodeProto gemm)
    {
        RequireShape(gemm, inputs: 3, attributes: ["alpha", "beta", "transA", "transB"]);
        foreach (var name in new[] { "alpha", "beta" })
        {
            var value = FloatAttribute(gemm, name, 1f);
            if (value != 1f)
            {
                throw Refuse(gemm, $"attribute '{name}' is {value}; only 1 is supported");
            }
        }
        if (IntAttribute(gemm, "transA", 0) != 0)
        {
            throw Refuse(gemm, $"attribute 'transA' is {IntAttribute(gemm, "transA", 0)}; only 0 is supported");
        }
        if (IntAttribute(gemm, "transB", 0) != 1)
        {
            throw Refuse(gemm, $"attribute 'transB' is {IntAttribute(gemm, "transB", 0)}; only 1 is supported");
        }
    }

    /// <summary>A Squeeze or Unsqueeze of exactly one axis, given as an initializer.</summary>
    private void CheckSqueeze(NodeProto squeeze, long axis)
    {
        RequireShape(squeeze, inputs: 2, attributes: []);
        var axes = Int64Initializer(squeeze.Input[1], squeeze);
        if (!axes.SequenceEqual([axis]))
        {
            throw Refuse(squeeze, $"input 'axes' ('{squeeze.Input[1]}') is [{string.Join(", ", axes)}]; expected [{axis}]");
        }
    }

    private float[] BiasInitializer(NodeProto gemm)
    {
        var dims = Dims(gemm.Input[2], gemm, "the bias C");
        if (!(dims.SequenceEqual([(long)_dim]) || dims.SequenceEqual([1L, _dim])))
        {
            throw Refuse(gemm, $"initializer '{gemm.Input[2]}' (input 'C') has shape [{string.Join(", ", dims)}]; expected [{_dim}]");
        }
        return FloatInitializer(gemm.Input[2], gemm, dims);
    }
}
