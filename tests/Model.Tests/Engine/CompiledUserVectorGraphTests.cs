using Google.Protobuf;
using Onnx;
using Recommender.Model.Bundle;
using Recommender.Model.Engine;
using Recommender.Training.Export;

namespace Recommender.Model.Tests.Engine;

/// <summary>
/// The compiled user-vector graph against ONNX Runtime on graphs written by the real graph builder, the graphs it must
/// refuse, and the engine's choice between the two.
/// </summary>
public sealed class CompiledUserVectorGraphTests
{
    private const int MaxHistory = 50;

    /// <summary>Seeded histories of lengths 1, MaxHistory and random in between, with graph parts alternating between the anonymous vector and user rows.</summary>
    private static (int[] History, float[] GraphVector)[] Probes(GcnLstmInferenceWeights weights, int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(probe =>
        {
            var length = probe switch { 0 => 1, 1 => weights.MaxHistory, _ => 1 + random.Next(weights.MaxHistory) };
            var history = Enumerable.Range(0, length).Select(_ => random.Next(weights.MovieCount)).ToArray();
            var graph = probe % 2 == 0
                ? weights.Anonymous
                : weights.UserTable.AsSpan(random.Next(weights.UserCount) * weights.Dim, weights.Dim).ToArray();
            return (history, graph);
        })];
    }

    private static CompiledUserVectorGraph Compile(byte[] model, int dim)
    {
        Assert.True(CompiledUserVectorGraph.TryCompile(model, dim, out var compiled, out var reason), reason);
        return compiled;
    }

    [Theory]
    [InlineData(3, 3000, 64, 64, 1, MaxHistory, true)]
    // H = 21 and D = 12 leave remainders in every vectorised loop (4H = 84 = 64 + 2·8 + 4).
    [InlineData(4, 500, 12, 21, 2, 30, true)]
    // Bundles written before the transition table.
    [InlineData(5, 500, 16, 16, 1, 30, false)]
    public void Graph_MatchesOnnxRuntimeOnAThousandHistories(int seed, int movies, int dim, int hidden, int layers, int maxHistory, bool transitions)
    {
        var weights = SyntheticModel.CreateWeights(seed, movies, userCount: movies / 15, dim, hidden, layers, maxHistory, transitions);
        var compiled = Compile(OnnxGraphBuilder.BuildBytes(weights), weights.Dim);

        Assert.Equal((dim, hidden, layers, movies), (compiled.Dim, compiled.Hidden, compiled.Layers, compiled.MovieCount));
        using var reference = new UserVectorModel(OnnxGraphBuilder.BuildBytes(weights), weights.Dim);
        var probes = Probes(weights, count: 1000, seed: 11);
        var expected = new float[probes.Length * dim];
        var actual = new float[probes.Length * dim];
        for (var probe = 0; probe < probes.Length; probe++)
        {
            var (history, graph) = probes[probe];
            reference.Compute(history, graph, expected.AsSpan(probe * dim, dim));
            compiled.Compute(history, graph, actual.AsSpan(probe * dim, dim));
        }
        // The tolerance the engine itself checks on its probe histories before it serves with the compiled graph.
        const double tolerance = UserVectorRuntimeSelector.Tolerance;
        Approx.AllEqual(expected, actual, rel: tolerance, abs: tolerance, $"compiled user vectors (1000 histories × {dim}) against ONNX Runtime");
    }

    [Fact]
    public void Compute_RejectsEmptyHistoriesUnknownMoviesAndWrongWidths()
    {
        var weights = SyntheticModel.CreateWeights(seed: 5, movieCount: 50, userCount: 5, dim: 8, hidden: 8, layers: 1, maxHistory: 10);
        var compiled = Compile(OnnxGraphBuilder.BuildBytes(weights), weights.Dim);
        var output = new float[8];

        Assert.Throws<ArgumentException>("history", () => compiled.Compute([], weights.Anonymous, output));
        var outside = Assert.Throws<ArgumentOutOfRangeException>("history", () => compiled.Compute([3, 50], weights.Anonymous, output));
        Assert.Contains("50 at step 1", outside.Message);
        Assert.Throws<ArgumentException>("graphVector", () => compiled.Compute([3], new float[7], output));
        Assert.Throws<ArgumentException>("userVector", () => compiled.Compute([3], weights.Anonymous, new float[9]));
    }

    public static TheoryData<string, string, string> Refusals => new()
    {
        { "clip", "LSTM_lstm_0_Y", "'clip'" },
        { "reverse", "LSTM_lstm_0_Y", "'direction'" },
        { "activations", "LSTM_lstm_0_Y", "'activations'" },
        { "input_forget", "LSTM_lstm_0_Y", "'input_forget'" },
        { "initial_h", "LSTM_lstm_0_Y", "'initial_h'" },
        { "alpha", "Gemm_gate_logits", "'alpha'" },
        { "transB", "Gemm_sequence_vector", "'transB'" },
        { "sub order", "Sub_graph_minus_sequence", "inputs" },
        { "first step", "GatherElements_last_movie_column", "'axis'" },
        { "int32 lengths", "Cast_lengths_int64", "'to'" },
        { "extra node", "Identity_unused", "not part of" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void UnsupportedGraphs_AreRefusedWithTheNodeAndAttribute(string change, string node, string detail)
    {
        var weights = SyntheticModel.CreateWeights(seed: 6, movieCount: 50, userCount: 5, dim: 8, hidden: 8, layers: 1, maxHistory: 10);
        var model = Modified(OnnxGraphBuilder.Build(weights), change);

        Assert.False(CompiledUserVectorGraph.TryCompile(model.ToByteArray(), weights.Dim, out var compiled, out var reason));
        Assert.Null(compiled);
        Assert.Contains($"node '{node}'", reason);
        Assert.Contains(detail, reason);
    }

    [Fact]
    public void CyclicStackedLayers_AreRefused()
    {
        var weights = SyntheticModel.CreateWeights(seed: 7, movieCount: 50, userCount: 5, dim: 8, hidden: 8, layers: 2, maxHistory: 10);
        var model = OnnxGraphBuilder.Build(weights);
        // Layer 0 reads the squeezed output of layer 0 instead of the gathered embeddings.
        model.Graph.Node.Single(node => node.Name == "LSTM_lstm_0_Y").Input[0] = "lstm_input_1";

        Assert.False(CompiledUserVectorGraph.TryCompile(model.ToByteArray(), weights.Dim, out _, out var reason));
        Assert.Equal("node 'LSTM_lstm_0_Y' (LSTM): feeds itself through the stacked layers (the graph has a cycle)", reason);
    }

    [Fact]
    public void OtherOpsets_AreRefused()
    {
        var weights = SyntheticModel.CreateWeights(seed: 8, movieCount: 50, userCount: 5, dim: 8, hidden: 8, layers: 1, maxHistory: 10);
        var model = OnnxGraphBuilder.Build(weights);
        model.OpsetImport.Single().Version = 11;

        Assert.False(CompiledUserVectorGraph.TryCompile(model.ToByteArray(), weights.Dim, out _, out var reason));
        Assert.Equal("default-domain opset 11 is outside the supported 14..23", reason);
    }

    [Fact]
    public void UnreadableBytes_AreRefused()
    {
        Assert.False(CompiledUserVectorGraph.TryCompile([0xff, 0xff, 0xff], 8, out _, out var reason));
        Assert.StartsWith("not a readable ONNX model", reason);
    }

    [Fact]
    public void Engine_ServesSingleRequestsWithTheCompiledGraph_AndRanksAsOnnxRuntime()
    {
        using var folder = new TemporaryFolder();
        var weights = SyntheticModel.CreateWeights(seed: 9, movieCount: 3000, userCount: 300, dim: 64, hidden: 64, layers: 1, MaxHistory);
        var data = SyntheticModel.CreateExportData(seed: 10, weights);
        ModelBundleExporter.Export(weights, data, folder.Combine("bundle"), precomputedCount: 20);
        var bundle = ModelBundle.Load(folder.Combine("bundle"));
        using var compiled = new RecommendationEngine(bundle);
        using var onnxRuntime = new RecommendationEngine(bundle, new RecommendationEngineOptions { UserVectorRuntime = UserVectorRuntimePreference.OnnxRuntime });

        Assert.Equal(UserVectorRuntime.Compiled, compiled.UserVectorRuntime.Runtime);
        Assert.Contains("max |difference| from ONNX Runtime", compiled.UserVectorRuntime.Description);
        Assert.Equal(new UserVectorRuntimeSelection(UserVectorRuntime.OnnxRuntime, "ONNX Runtime: chosen by the engine options"), onnxRuntime.UserVectorRuntime);

        var random = new Random(12);
        var expected = new List<RecommendationResult>();
        var actual = new List<RecommendationResult>();
        for (var session = 0; session < 1000; session++)
        {
            // Up to 60 movies: longer histories are cut to the most recent MaxHistory by the engine.
            var length = session switch { 0 => 1, 1 => MaxHistory, _ => 1 + random.Next(60) };
            var movieIds = Enumerable.Range(0, length).Select(_ => data.Movies[random.Next(data.Movies.Count)].MovieId).ToArray();
            expected.Add(onnxRuntime.RecommendForHistory(movieIds, 10));
            actual.Add(compiled.RecommendForHistory(movieIds, 10));
        }
        var genres = new RecommendationOptions { Genres = ["Drama", "Comedy"] };
        foreach (var userId in data.UserIds)
        {
            // Filters force the live path.
            expected.Add(onnxRuntime.RecommendForUser(userId, 10, genres));
            actual.Add(compiled.RecommendForUser(userId, 10, genres));
            Assert.False(actual[^1].FromPrecomputed);
        }
        Assert.All(expected.Zip(actual), pair => Assert.Equal(pair.First.Items.Count, pair.Second.Items.Count));
        // Dot products over D = 64 with user vectors that may differ by the engine's 1e-5 acceptance tolerance; lists
        // differ only where two near-equal scores swap.
        Approx.AllEqual(Scores(expected), Scores(actual), rel: 0, abs: 1e-4, "top-10 scores, compiled graph against ONNX Runtime");
        TopK.MostlyIdentical(MovieIds(expected), MovieIds(actual), maxDiffering: 1, "top-10 lists, compiled graph against ONNX Runtime");
    }

    public static TheoryData<string> FallbackChanges => ["clip", "reverse", "alpha"];

    [Theory]
    [MemberData(nameof(FallbackChanges))]
    public void Engine_FallsBackToOnnxRuntimeForARefusedGraph_AndAnswersIdentically(string change)
    {
        using var folder = new TemporaryFolder();
        var weights = SyntheticModel.CreateWeights(seed: 13, movieCount: 400, userCount: 30, dim: 16, hidden: 16, layers: 1, maxHistory: 20);
        var data = SyntheticModel.CreateExportData(seed: 14, weights);
        ModelBundleExporter.Export(weights, data, folder.Combine("original"), precomputedCount: 10);
        var original = ModelBundle.Load(folder.Combine("original")).Content;
        var modified = Modified(OnnxGraphBuilder.Build(weights), change).ToByteArray();
        BundleWriter.Write(WithOnnxModel(original, modified), folder.Combine("modified"));
        var bundle = ModelBundle.Load(folder.Combine("modified"));
        Assert.False(CompiledUserVectorGraph.TryCompile(modified, weights.Dim, out _, out var reason));

        using var auto = new RecommendationEngine(bundle);
        using var onnxRuntime = new RecommendationEngine(bundle, new RecommendationEngineOptions { UserVectorRuntime = UserVectorRuntimePreference.OnnxRuntime });

        Assert.Equal(UserVectorRuntime.OnnxRuntime, auto.UserVectorRuntime.Runtime);
        Assert.Equal($"ONNX Runtime: the compiled graph does not support this model: {reason}", auto.UserVectorRuntime.Description);
        var random = new Random(15);
        for (var session = 0; session < 50; session++)
        {
            var movieIds = Enumerable.Range(0, 1 + random.Next(20)).Select(_ => data.Movies[random.Next(data.Movies.Count)].MovieId).ToArray();
            Assert.Equal(onnxRuntime.RecommendForHistory(movieIds, 10).Items, auto.RecommendForHistory(movieIds, 10).Items, RecommendedMovieComparer.Instance);
        }
        foreach (var userId in data.UserIds)
        {
            Assert.Equal(onnxRuntime.RecommendForUser(userId, 15).Items, auto.RecommendForUser(userId, 15).Items, RecommendedMovieComparer.Instance);
        }
    }

    private static float[] Scores(List<RecommendationResult> results) => [.. results.SelectMany(result => result.Items.Select(movie => movie.Score))];

    private static int[][] MovieIds(List<RecommendationResult> results) => [.. results.Select(result => result.Items.Select(movie => movie.MovieId).ToArray())];

    /// <summary>The builder's graph with one change that ONNX Runtime still runs (except transB and sub order) but the compiled graph must refuse.</summary>
    private static ModelProto Modified(ModelProto model, string change)
    {
        var graph = model.Graph;
        var lstm = graph.Node.Single(node => node.OpType == "LSTM");
        switch (change)
        {
            case "clip":
                lstm.Attribute.Add(new AttributeProto { Name = "clip", Type = AttributeProto.Types.AttributeType.Float, F = 1000f });
                break;
            case "reverse":
                lstm.Attribute.Add(new AttributeProto { Name = "direction", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("reverse") });
                break;
            case "activations":
                var activations = new AttributeProto { Name = "activations", Type = AttributeProto.Types.AttributeType.Strings };
                activations.Strings.AddRange(new[] { "Sigmoid", "Tanh", "Relu" }.Select(ByteString.CopyFromUtf8));
                lstm.Attribute.Add(activations);
                break;
            case "input_forget":
                lstm.Attribute.Add(new AttributeProto { Name = "input_forget", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
                break;
            case "initial_h":
                lstm.Input.Add("user_embedding");
                break;
            case "alpha":
                graph.Node.Single(node => node.Name == "Gemm_gate_logits")
                    .Attribute.Add(new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = 0.5f });
                break;
            case "transB":
                graph.Node.Single(node => node.Name == "Gemm_sequence_vector").Attribute.Single(attribute => attribute.Name == "transB").I = 0;
                break;
            case "sub order":
                var sub = graph.Node.Single(node => node.Name == "Sub_graph_minus_sequence");
                (sub.Input[0], sub.Input[1]) = (sub.Input[1], sub.Input[0]);
                break;
            case "first step":
                graph.Node.Single(node => node.OpType == "GatherElements").Attribute.Single().I = 0;
                break;
            case "int32 lengths":
                graph.Node.Single(node => node.OpType == "Cast").Attribute.Single().I = (long)TensorProto.Types.DataType.Int32;
                break;
            case "extra node":
                var identity = new NodeProto { OpType = "Identity", Name = "Identity_unused" };
                identity.Input.Add("user_embedding");
                identity.Output.Add("unused");
                graph.Node.Add(identity);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(change), change, "unknown change");
        }
        return model;
    }

    private static ModelBundleContent WithOnnxModel(ModelBundleContent content, byte[] onnxModel) => new()
    {
        OnnxModel = onnxModel,
        Dim = content.Dim,
        MaxHistory = content.MaxHistory,
        MovieTable = content.MovieTable,
        Movies = content.Movies,
        UserTable = content.UserTable,
        UserIds = content.UserIds,
        History = content.History,
        Seen = content.Seen,
        PopularityItems = content.PopularityItems,
        PopularityScores = content.PopularityScores,
        PrecomputedCount = content.PrecomputedCount,
        PrecomputedItems = content.PrecomputedItems,
        PrecomputedScores = content.PrecomputedScores,
        AnonymousVector = content.AnonymousVector,
        DatasetFingerprint = content.DatasetFingerprint,
        HyperParameters = content.HyperParameters,
        Metrics = content.Metrics,
    };

    /// <summary>Movies equal in id, rank and bit-identical score.</summary>
    private sealed class RecommendedMovieComparer : IEqualityComparer<RecommendedMovie>
    {
        public static RecommendedMovieComparer Instance { get; } = new();

        public bool Equals(RecommendedMovie? x, RecommendedMovie? y) =>
            x is not null && y is not null && x.MovieId == y.MovieId && x.Rank == y.Rank && x.Score.Equals(y.Score);

        public int GetHashCode(RecommendedMovie obj) => HashCode.Combine(obj.MovieId, obj.Rank);
    }
}
