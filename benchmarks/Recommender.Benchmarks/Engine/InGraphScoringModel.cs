using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Recommender.Model.Engine;

namespace Recommender.Benchmarks.Engine;

/// <summary>
/// The alternative the engine was measured against: the user-vector graph extended with scoring inside ONNX
/// (scores = user_vector · E^T + mask, then TopK), where the mask is 0 for allowed and -inf for excluded movies.
/// </summary>
internal sealed class InGraphScoringModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly float[] _mask;
    private readonly int _dim;

    public InGraphScoringModel(byte[] userVectorModel, float[] movieTable, int dim, int topCount)
    {
        _dim = dim;
        var movies = movieTable.Length / dim;
        var model = ModelProto.Parser.ParseFrom(userVectorModel);
        var graph = model.Graph;
        var transposed = new float[movieTable.Length];
        for (var item = 0; item < movies; item++)
        {
            for (var d = 0; d < dim; d++)
            {
                transposed[d * movies + item] = movieTable[item * dim + d];
            }
        }
        var table = new TensorProto { Name = "movie_table_t", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(transposed.AsSpan())) };
        table.Dims.AddRange([dim, movies]);
        var k = new TensorProto { Name = "top_count", DataType = (int)TensorProto.Types.DataType.Int64 };
        k.Dims.Add(1);
        k.Int64Data.Add(topCount);
        graph.Initializer.AddRange([table, k]);
        graph.Node.Add(Node("MatMul", [UserVectorGraph.UserVectorOutput, "movie_table_t"], ["scores"]));
        graph.Node.Add(Node("Add", ["scores", "mask"], ["masked_scores"]));
        graph.Node.Add(Node("TopK", ["masked_scores", "top_count"], ["top_scores", "top_items"]));
        graph.Input.Add(Value("mask", TensorProto.Types.DataType.Float, 1, movies));
        graph.Output.Clear();
        graph.Output.Add(Value("top_scores", TensorProto.Types.DataType.Float, 1, topCount));
        graph.Output.Add(Value("top_items", TensorProto.Types.DataType.Int64, 1, topCount));
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        _session = new InferenceSession(model.ToByteArray(), options);
        _mask = new float[movies];
    }

    /// <summary>Runs the extended graph on one history; returns the best item index.</summary>
    public long TopItems(int[] history, float[] graphVector)
    {
        using var historyValue = OrtValue.CreateTensorValueFromMemory(history.Select(item => (long)item).ToArray(), [1, history.Length]);
        using var lengthsValue = OrtValue.CreateTensorValueFromMemory(new[] { history.Length }, [1]);
        using var graphValue = OrtValue.CreateTensorValueFromMemory(graphVector, [1, _dim]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(_mask, [1, _mask.Length]);
        using var outputs = _session.Run(_runOptions,
            [UserVectorGraph.HistoryInput, UserVectorGraph.LengthsInput, UserVectorGraph.UserEmbeddingInput, "mask"],
            [historyValue, lengthsValue, graphValue, maskValue],
            ["top_scores", "top_items"]);
        return outputs[1].GetTensorDataAsSpan<long>()[0];
    }

    private static NodeProto Node(string opType, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{outputs[0]}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, params long[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims.Select(size => new TensorShapeProto.Types.Dimension { DimValue = size }));
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
