using Google.Protobuf;
using Onnx;
using Recommender.Model.Engine;
using Recommender.Training.Export;

namespace Recommender.Training.Tests.Export;

public class OnnxGraphBuilderTests
{
    [Fact]
    public void OnnxGraph_MatchesReferenceForThousandHistoriesOfVariedLength()
    {
        const int histories = 1000, maxHistory = 50;
        var weights = SyntheticModel.CreateWeights(seed: 11, movieCount: 3000, userCount: 0, dim: 64, hidden: 128, layers: 2, maxHistory);
        var reference = new ReferenceGcnLstm(weights);
        var random = new Random(5);
        var lengths = new int[histories];
        var rows = new int[histories][];
        var graphVectors = new float[histories * weights.Dim];
        for (var row = 0; row < histories; row++)
        {
            lengths[row] = row switch { 0 => 1, 1 => maxHistory, _ => 1 + random.Next(maxHistory) };
            rows[row] = [.. Enumerable.Range(0, lengths[row]).Select(_ => random.Next(weights.MovieCount))];
            var graph = row % 2 == 0 ? weights.Anonymous : [.. Enumerable.Range(0, weights.Dim).Select(_ => (float)(random.NextDouble() * 2 - 1))];
            graph.CopyTo(graphVectors, row * weights.Dim);
        }
        var padded = new long[histories * maxHistory];
        for (var row = 0; row < histories; row++)
        {
            for (var step = 0; step < maxHistory; step++)
            {
                // Padding with a real movie: only sequence_lens may keep it out of the result.
                padded[row * maxHistory + step] = step < lengths[row] ? rows[row][step] : random.Next(weights.MovieCount);
            }
        }

        using var model = new UserVectorModel(OnnxGraphBuilder.BuildBytes(weights), weights.Dim);
        var onnxVectors = new float[histories * weights.Dim];
        model.ComputeBatch(padded, lengths, maxHistory, graphVectors, onnxVectors);

        var movieTable = Enumerable.Range(0, 2000 * weights.Dim).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double maxDifference = 0;
        var sameTopTen = 0;
        for (var row = 0; row < histories; row++)
        {
            var expected = reference.UserVector(rows[row], graphVectors.AsSpan(row * weights.Dim, weights.Dim));
            var actual = onnxVectors.AsSpan(row * weights.Dim, weights.Dim).ToArray().Select(value => (double)value).ToArray();
            for (var d = 0; d < weights.Dim; d++)
            {
                maxDifference = Math.Max(maxDifference, Math.Abs(expected[d] - actual[d]));
            }
            if (TopTen(movieTable, expected).SequenceEqual(TopTen(movieTable, actual)))
            {
                sameTopTen++;
            }
        }
        Assert.True(maxDifference <= 1e-4, $"max |ONNX - reference| = {maxDifference:E2}");
        Assert.True(sameTopTen >= 999, $"identical top-10 lists: {sameTopTen} of {histories}");
    }

    [Theory]
    [InlineData(1, 16, 24)]
    [InlineData(3, 8, 12)]
    public void OnnxGraph_MatchesReferenceForOtherLayerCountsAndSizes(int layers, int dim, int hidden)
    {
        var weights = SyntheticModel.CreateWeights(seed: layers, movieCount: 100, userCount: 0, dim, hidden, layers, maxHistory: 20);
        var reference = new ReferenceGcnLstm(weights);
        using var model = new UserVectorModel(OnnxGraphBuilder.BuildBytes(weights), dim);
        var random = new Random(layers);
        for (var trial = 0; trial < 20; trial++)
        {
            var history = Enumerable.Range(0, 1 + random.Next(20)).Select(_ => random.Next(100)).ToArray();
            var actual = new float[dim];
            model.Compute(history, weights.Anonymous, actual);
            var expected = reference.UserVector(history, weights.Anonymous);
            for (var d = 0; d < dim; d++)
            {
                Assert.True(Math.Abs(expected[d] - actual[d]) <= 1e-5, $"history length {history.Length}, dim {d}: {actual[d]} vs {expected[d]}");
            }
        }
    }

    [Fact]
    public void Build_DeclaresTheEngineInterface()
    {
        var weights = SyntheticModel.CreateWeights(seed: 1, movieCount: 10, userCount: 2, dim: 8, hidden: 4, layers: 2, maxHistory: 5);
        var model = OnnxGraphBuilder.Build(weights);

        Assert.Equal(UserVectorGraph.OpsetVersion, model.OpsetImport.Single().Version);
        Assert.Equal([UserVectorGraph.HistoryInput, UserVectorGraph.LengthsInput, UserVectorGraph.UserEmbeddingInput], model.Graph.Input.Select(input => input.Name));
        Assert.Equal((int)TensorProto.Types.DataType.Int64, model.Graph.Input[0].Type.TensorType.ElemType);
        Assert.Equal((int)TensorProto.Types.DataType.Int32, model.Graph.Input[1].Type.TensorType.ElemType);
        Assert.Equal(UserVectorGraph.UserVectorOutput, model.Graph.Output.Single().Name);
        Assert.Equal(2, model.Graph.Node.Count(node => node.OpType == "LSTM"));
        var movieTable = model.Graph.Initializer.Single(tensor => tensor.Name == "movie_table");
        Assert.Equal([10L, 8L], movieTable.Dims);
    }

    [Fact]
    public void Save_WritesTheSerializedModel()
    {
        var weights = SyntheticModel.CreateWeights(seed: 2, movieCount: 10, userCount: 0, dim: 8, hidden: 4, layers: 1, maxHistory: 5);
        var model = OnnxGraphBuilder.Build(weights);
        var path = Path.Combine(Path.GetTempPath(), $"graph-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxGraphBuilder.Save(model, path);
            var reread = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            Assert.Equal(model, reread);
            Assert.Equal(model.ToByteArray(), OnnxGraphBuilder.BuildBytes(weights));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Build_RejectsWeightsOfTheWrongSizeNamingTheField()
    {
        var weights = SyntheticModel.CreateWeights(seed: 3, movieCount: 10, userCount: 0, dim: 8, hidden: 4, layers: 2, maxHistory: 5);
        var broken = new GcnLstmInferenceWeights
        {
            Dim = weights.Dim, Hidden = weights.Hidden, Layers = weights.Layers, MaxHistory = weights.MaxHistory,
            MovieTable = weights.MovieTable, MovieCount = weights.MovieCount, UserTable = weights.UserTable, UserCount = weights.UserCount,
            Anonymous = weights.Anonymous, ProjectionWeight = weights.ProjectionWeight, ProjectionBias = weights.ProjectionBias,
            GateWeight = weights.GateWeight, GateBias = weights.GateBias,
            Lstm = [weights.Lstm[0], new LstmLayerWeights { WeightIh = weights.Lstm[1].WeightIh, WeightHh = new float[3], BiasIh = weights.Lstm[1].BiasIh, BiasHh = weights.Lstm[1].BiasHh }],
        };

        var error = Assert.Throws<ArgumentException>(() => OnnxGraphBuilder.Build(broken));
        Assert.Contains("Lstm[1].WeightHh", error.Message);
        Assert.Contains("64", error.Message);
    }

    private static int[] TopTen(double[] movieTable, double[] userVector)
    {
        var dim = userVector.Length;
        return [.. Enumerable.Range(0, movieTable.Length / dim)
            .Select(item => (Item: item, Score: System.Numerics.Tensors.TensorPrimitives.Dot<double>(movieTable.AsSpan(item * dim, dim), userVector)))
            .OrderByDescending(pair => pair.Score).ThenBy(pair => pair.Item).Take(10).Select(pair => pair.Item)];
    }
}
