using Recommender.Model.Engine;
using Recommender.Training.Export;
using Recommender.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Tests.Export;

/// <summary>
/// The exported graph, run by ONNX Runtime and by <see cref="CompiledUserVectorGraph"/>, against the TorchSharp modules
/// it stands for: a 2-layer batch-first nn.LSTM (D = 64 → H = 128), the sequence projection and the fusion gate, all
/// with seeded random weights.
/// </summary>
public sealed class TorchSharpParityTests
{
    private const int Dim = 64, Hidden = 128, Layers = 2, MaxHistory = 50, Movies = 5000, Histories = 1000;

    [Fact]
    public void OnnxGraph_ReproducesTorchSharpUserVectorsAndTopTenLists_InOnnxRuntimeAndCompiled()
    {
        TorchSharpNativeFix.EnsureTorchLoadable();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        random.manual_seed(20261128);
        var lstm = nn.LSTM(Dim, Hidden, numLayers: Layers, batchFirst: true);
        var projection = nn.Linear(Hidden, Dim);
        var gate = nn.Linear(2 * Dim, Dim);
        var movieTable = randn(Movies, Dim);
        var anonymous = randn(Dim);
        var scoringTable = randn(Movies, Dim);

        var generator = new Random(17);
        var lengths = Enumerable.Range(0, Histories).Select(row => row switch { 0 => 1, 1 => MaxHistory, _ => 1 + generator.Next(MaxHistory) }).ToArray();
        var histories = lengths.Select(length => Enumerable.Range(0, length).Select(_ => (long)generator.Next(Movies)).ToArray()).ToArray();
        // Half the rows use the anonymous vector as graph part, half a random "known user" vector.
        var graphVectors = cat([anonymous.expand(Histories / 2, Dim), randn(Histories - Histories / 2, Dim)], 0);

        // TorchSharp: one batch per history length, so no padding reaches the LSTM.
        var torchVectors = zeros(Histories, Dim);
        foreach (var group in Enumerable.Range(0, Histories).GroupBy(row => lengths[row]))
        {
            var rows = group.ToArray();
            var indices = tensor(rows.SelectMany(row => histories[row]).ToArray(), [rows.Length, group.Key]);
            var (sequence, _, _) = lstm.call(movieTable[indices]);
            var lastState = sequence[.., -1, ..];
            var s = projection.call(lastState);
            var g = graphVectors[tensor(rows.Select(row => (long)row).ToArray())];
            var z = sigmoid(gate.call(cat([g, s], 1)));
            torchVectors[tensor(rows.Select(row => (long)row).ToArray())] = z * g + (1 - z) * s;
        }

        var parameters = lstm.named_parameters().ToDictionary(pair => pair.name, pair => pair.parameter);
        var weights = new GcnLstmInferenceWeights
        {
            Dim = Dim, Hidden = Hidden, Layers = Layers, MaxHistory = MaxHistory,
            MovieTable = Floats(movieTable), MovieCount = Movies,
            UserTable = [], UserCount = 0,
            Anonymous = Floats(anonymous),
            Lstm = [.. Enumerable.Range(0, Layers).Select(layer => new LstmLayerWeights
            {
                WeightIh = Floats(parameters[$"weight_ih_l{layer}"]),
                WeightHh = Floats(parameters[$"weight_hh_l{layer}"]),
                BiasIh = Floats(parameters[$"bias_ih_l{layer}"]),
                BiasHh = Floats(parameters[$"bias_hh_l{layer}"]),
            })],
            ProjectionWeight = Floats(projection.weight!), ProjectionBias = Floats(projection.bias!),
            GateWeight = Floats(gate.weight!), GateBias = Floats(gate.bias!),
        };

        var onnxModel = OnnxGraphBuilder.BuildBytes(weights);
        using var model = new UserVectorModel(onnxModel, Dim);
        var padded = new long[Histories * MaxHistory];
        for (var row = 0; row < Histories; row++)
        {
            for (var step = 0; step < MaxHistory; step++)
            {
                padded[row * MaxHistory + step] = step < lengths[row] ? histories[row][step] : generator.Next(Movies);
            }
        }
        var onnxVectors = new float[Histories * Dim];
        model.ComputeBatch(padded, lengths, MaxHistory, Floats(graphVectors), onnxVectors);

        Assert.True(CompiledUserVectorGraph.TryCompile(onnxModel, Dim, out var compiled, out var reason), reason);
        var graphRows = Floats(graphVectors);
        var compiledVectors = new float[Histories * Dim];
        for (var row = 0; row < Histories; row++)
        {
            compiled.Compute(histories[row].Select(movie => (int)movie).ToArray(), graphRows.AsSpan(row * Dim, Dim), compiledVectors.AsSpan(row * Dim, Dim));
        }

        var expected = Floats(torchVectors);
        var expectedTop = TopTen(torchVectors, scoringTable);
        foreach (var (runtime, vectors) in new[] { ("ONNX Runtime", onnxVectors), ("compiled", compiledVectors) })
        {
            // The engine's acceptance tolerance for two float32 LSTMs (UserVectorRuntimeSelector.Tolerance): they
            // differ in summation order and activations, about 1e-7 after 50 steps; a wrong gate, bias or step is off
            // by 1e-2 or more.
            Approx.AllEqual(expected, vectors, rel: 1e-5, abs: 1e-5, $"{runtime} user vectors (1000 histories × 64) against TorchSharp");
            TopK.MostlyIdentical(expectedTop, TopTen(tensor(vectors, [Histories, Dim]), scoringTable), maxDiffering: 1, $"{runtime} top-10 lists of 5000 movies against TorchSharp");
        }
    }

    private static float[] Floats(Tensor tensor) => tensor.contiguous().data<float>().ToArray();

    private static int[][] TopTen(Tensor userVectors, Tensor scoringTable)
    {
        var indices = topk(matmul(userVectors, scoringTable.t()), 10).indices.contiguous().data<long>().ToArray();
        return [.. indices.Chunk(10).Select(list => list.Select(index => (int)index).ToArray())];
    }
}
