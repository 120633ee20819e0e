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
        var expected = new double[histories * weights.Dim];
        var expectedTop = new int[histories][];
        var actualTop = new int[histories][];
        for (var row = 0; row < histories; row++)
        {
            var vector = reference.UserVector(rows[row], graphVectors.AsSpan(row * weights.Dim, weights.Dim));
            vector.CopyTo(expected, row * weights.Dim);
            expectedTop[row] = TopTen(movieTable, vector);
            actualTop[row] = TopTen(movieTable, [.. onnxVectors.AsSpan(row * weights.Dim, weights.Dim).ToArray().Select(value => (double)value)]);
        }
        // The engine's acceptance tolerance for a float32 LSTM (UserVectorRuntimeSelector.Tolerance): rounding leaves
        // about 1e-7 after 50 steps; a wrong gate, bias or step is off by 1e-2 or more.
        Approx.AllEqual(expected, onnxVectors, rel: 1e-5, abs: 1e-5, "ONNX Runtime user vectors (1000 histories × 64) against the double-precision reference");
        TopK.MostlyIdentical(expectedTop, actualTop, maxDiffering: 1, "top-10 lists of 2000 movies, ONNX Runtime against the reference");
    }

    [Theory]
    [InlineData(1, 16, 24, true)]
    [InlineData(3, 8, 12, true)]
    [InlineData(2, 8, 12, false)]
    public void OnnxGraph_MatchesReferenceForOtherLayerCountsAndSizes(int layers, int dim, int hidden, bool transitions)
    {
        var weights = SyntheticModel.CreateWeights(seed: layers, movieCount: 100, userCount: 0, dim, hidden, layers, maxHistory: 20, transitions);
        var reference = new ReferenceGcnLstm(weights);
        using var model = new UserVectorModel(OnnxGraphBuilder.BuildBytes(weights), dim);
        var random = new Random(layers);
        const int trials = 20;
        var expected = new double[trials * dim];
        var actual = new float[trials * dim];
        for (var trial = 0; trial < trials; trial++)
        {
            var history = Enumerable.Range(0, 1 + random.Next(20)).Select(_ => random.Next(100)).ToArray();
            model.Compute(history, weights.Anonymous, actual.AsSpan(trial * dim, dim));
            reference.UserVector(history, weights.Anonymous).CopyTo(expected, trial * dim);
        }
        Approx.AllEqual(expected, actual, rel: 1e-5, abs: 1e-5, $"user vectors ({trials} histories × {dim}, {layers} layers, H = {hidden}) against the double-precision reference");
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
