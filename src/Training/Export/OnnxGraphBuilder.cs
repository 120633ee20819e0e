using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using Recommender.Model.Engine;

namespace Recommender.Training.Export;

/// <summary>
/// Writes the inference graph of a trained GCN+LSTM model (docs/architecture.md) as ONNX protobuf, with the weights
/// copied in as initializers. TorchSharp cannot export ONNX, so the graph is assembled node by node.
/// Interface: see <see cref="UserVectorGraph"/>. Scoring against the movie table is left to the engine.
/// </summary>
public static class OnnxGraphBuilder
{
    private const long IrVersion = 8;
    private const string BatchDim = "batch";
    private const string StepsDim = "steps";

    /// <summary>PyTorch packs gates as i, f, g, o; ONNX as i, o, f, c. Entry k is the PyTorch block of ONNX block k.</summary>
    private static readonly int[] OnnxGateToTorchGate = [0, 3, 1, 2];

    public static ModelProto Build(GcnLstmInferenceWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        weights.Validate();
        int dim = weights.Dim, hidden = weights.Hidden;

        var graph = new GraphProto { Name = "gcn_lstm_user_vector" };
        graph.Input.Add(TensorValue(UserVectorGraph.HistoryInput, TensorProto.Types.DataType.Int64, Symbolic(BatchDim), Symbolic(StepsDim)));
        graph.Input.Add(TensorValue(UserVectorGraph.LengthsInput, TensorProto.Types.DataType.Int32, Symbolic(BatchDim)));
        graph.Input.Add(TensorValue(UserVectorGraph.UserEmbeddingInput, TensorProto.Types.DataType.Float, Symbolic(BatchDim), Fixed(dim)));
        graph.Output.Add(TensorValue(UserVectorGraph.UserVectorOutput, TensorProto.Types.DataType.Float, Symbolic(BatchDim), Fixed(dim)));

        graph.Initializer.Add(FloatTensor("movie_table", weights.MovieTable, weights.MovieCount, dim));
        graph.Initializer.Add(Int64Tensor("axis_0", [0], 1));
        if (weights.Layers > 1 || weights.TransitionTable is not null)
        {
            // Only used between stacked layers and for the last movie; ONNX Runtime warns about unused initializers.
            graph.Initializer.Add(Int64Tensor("axis_1", [1], 1));
        }

        // Transposing the int64 indices is cheaper than transposing the gathered embeddings; ONNX Runtime's CPU LSTM
        // only accepts the time-major layout (layout = 0).
        graph.Node.Add(Node("Transpose", [UserVectorGraph.HistoryInput], ["history_time_major"], IntsAttribute("perm", 1, 0)));
        graph.Node.Add(Node("Gather", ["movie_table", "history_time_major"], ["lstm_input_0"], IntAttribute("axis", 0)));

        var layerInput = "lstm_input_0";
        var lastHidden = "";
        for (var layer = 0; layer < weights.Layers; layer++)
        {
            var inputSize = layer == 0 ? dim : hidden;
            var layerWeights = weights.Lstm[layer];
            var w = $"lstm_{layer}_W";
            var r = $"lstm_{layer}_R";
            var b = $"lstm_{layer}_B";
            graph.Initializer.Add(FloatTensor(w, ReorderGates(layerWeights.WeightIh, hidden, inputSize), 1, 4 * hidden, inputSize));
            graph.Initializer.Add(FloatTensor(r, ReorderGates(layerWeights.WeightHh, hidden, hidden), 1, 4 * hidden, hidden));
            float[] bias = [.. ReorderGates(layerWeights.BiasIh, hidden, 1), .. ReorderGates(layerWeights.BiasHh, hidden, 1)];
            graph.Initializer.Add(FloatTensor(b, bias, 1, 8 * hidden));

            var sequence = $"lstm_{layer}_Y";
            lastHidden = $"lstm_{layer}_Y_h";
            graph.Node.Add(Node("LSTM", [layerInput, w, r, b, UserVectorGraph.LengthsInput], [sequence, lastHidden],
                IntAttribute("hidden_size", hidden)));
            if (layer + 1 < weights.Layers)
            {
                // Y is [steps, num_directions = 1, batch, H]; the next layer reads [steps, batch, H].
                layerInput = $"lstm_input_{layer + 1}";
                graph.Node.Add(Node("Squeeze", [sequence, "axis_1"], [layerInput]));
            }
        }

        // With sequence_lens, Y_h holds each row's state at its last valid step: h [batch, H].
        graph.Node.Add(Node("Squeeze", [lastHidden, "axis_0"], ["sequence_state"]));

        graph.Initializer.Add(FloatTensor("projection_weight", weights.ProjectionWeight, dim, hidden));
        graph.Initializer.Add(FloatTensor("projection_bias", weights.ProjectionBias, dim));
        graph.Node.Add(Node("Gemm", ["sequence_state", "projection_weight", "projection_bias"], ["sequence_vector"], IntAttribute("transB", 1)));

        graph.Initializer.Add(FloatTensor("gate_weight", weights.GateWeight, dim, 2 * dim));
        graph.Initializer.Add(FloatTensor("gate_bias", weights.GateBias, dim));
        graph.Node.Add(Node("Concat", [UserVectorGraph.UserEmbeddingInput, "sequence_vector"], ["gate_input"], IntAttribute("axis", 1)));
        graph.Node.Add(Node("Gemm", ["gate_input", "gate_weight", "gate_bias"], ["gate_logits"], IntAttribute("transB", 1)));
        graph.Node.Add(Node("Sigmoid", ["gate_logits"], ["gate"]));

        // u = z * g + (1 - z) * s, computed as s + z * (g - s).
        var fused = weights.TransitionTable is null ? UserVectorGraph.UserVectorOutput : "fused_vector";
        graph.Node.Add(Node("Sub", [UserVectorGraph.UserEmbeddingInput, "sequence_vector"], ["graph_minus_sequence"]));
        graph.Node.Add(Node("Mul", ["gate", "graph_minus_sequence"], ["gated_difference"]));
        graph.Node.Add(Node("Add", ["sequence_vector", "gated_difference"], [fused]));

        if (weights.TransitionTable is not null)
        {
            // u += T[history[row, lengths[row] - 1]]: the last valid movie of each row, picked by GatherElements.
            graph.Initializer.Add(FloatTensor("transition_table", weights.TransitionTable, weights.MovieCount, dim));
            graph.Initializer.Add(Int64Tensor("one", [1], 1));
            graph.Node.Add(Node("Cast", [UserVectorGraph.LengthsInput], ["lengths_int64"], IntAttribute("to", (long)TensorProto.Types.DataType.Int64)));
            graph.Node.Add(Node("Sub", ["lengths_int64", "one"], ["last_step"]));
            graph.Node.Add(Node("Unsqueeze", ["last_step", "axis_1"], ["last_step_column"]));
            graph.Node.Add(Node("GatherElements", [UserVectorGraph.HistoryInput, "last_step_column"], ["last_movie_column"], IntAttribute("axis", 1)));
            graph.Node.Add(Node("Squeeze", ["last_movie_column", "axis_1"], ["last_movie"]));
            graph.Node.Add(Node("Gather", ["transition_table", "last_movie"], ["transition_vector"], IntAttribute("axis", 0)));
            graph.Node.Add(Node("Add", [fused, "transition_vector"], [UserVectorGraph.UserVectorOutput]));
        }

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Recommender.Training",
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = UserVectorGraph.OpsetVersion });
        return model;
    }

    public static byte[] BuildBytes(GcnLstmInferenceWeights weights) => Build(weights).ToByteArray();

    public static void Save(ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var stream = File.Create(path);
        model.WriteTo(stream);
    }

    /// <summary>Rows [4H, columns] in PyTorch gate order → the same rows in ONNX gate order.</summary>
    private static float[] ReorderGates(float[] torchRows, int hidden, int columns)
    {
        var block = hidden * columns;
        var onnxRows = new float[torchRows.Length];
        for (var gate = 0; gate < 4; gate++)
        {
            torchRows.AsSpan(OnnxGateToTorchGate[gate] * block, block).CopyTo(onnxRows.AsSpan(gate * block, block));
        }
        return onnxRows;
    }

    private static NodeProto Node(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{outputs[0]}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto IntsAttribute(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static TensorProto FloatTensor(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.RawData = LittleEndianBytes<float>(values);
        return tensor;
    }

    private static TensorProto Int64Tensor(string name, long[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.RawData = LittleEndianBytes<long>(values);
        return tensor;
    }

    private static ByteString LittleEndianBytes<T>(T[] values) where T : unmanaged
    {
        // ONNX raw_data is little-endian, which is the in-memory layout on every platform .NET runs this on.
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX export requires a little-endian platform.");
        }
        return ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static TensorShapeProto.Types.Dimension Symbolic(string name) => new() { DimParam = name };

    private static TensorShapeProto.Types.Dimension Fixed(long size) => new() { DimValue = size };

    private static ValueInfoProto TensorValue(string name, TensorProto.Types.DataType elementType, params TensorShapeProto.Types.Dimension[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims);
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)elementType, Shape = shape } },
        };
    }
}
