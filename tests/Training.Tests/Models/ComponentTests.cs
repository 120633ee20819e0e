using Recommender.Model.Data;
using Recommender.Model.Evaluation;
using Recommender.Training.Models;
using Recommender.Training.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Tests.Models;

[Collection(TorchCollection.Name)]
public sealed class ComponentTests
{
    [Fact]
    public void The_evaluator_over_item_lists_computes_ndcg_map_hit_rate_recall_and_precision()
    {
        var scorer = new FixedScorer([0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f]);
        var excluded = UserItemLists.Build(Table(users: [0], items: [1]));
        var relevant = UserItemLists.Build(Table(users: [0, 0], items: [2, 5]));

        var result = TestData.Rank(scorer, excluded, relevant, k: 3);

        // Ranking without item 1: 0, 2, 3; one hit (item 2) at rank 2 of two relevant items.
        var idealDcg = 1 + 1 / Math.Log2(3);
        Approx.Equal(1 / Math.Log2(3) / idealDcg, result.Ndcg, rel: 0, abs: 1e-12, "ndcg@3");
        Approx.Equal(0.5 / 2, result.Map, rel: 0, abs: 1e-12, "map");
        Assert.Equal(1, result.HitRate);
        Approx.Equal(0.5, result.Recall, rel: 0, abs: 1e-12, "recall@3");
        Approx.Equal(1.0 / 3, result.Precision, rel: 0, abs: 1e-12, "precision@3");
        Assert.Equal(1, result.UserCount);
    }

    [Fact]
    public void User_histories_are_in_time_order_with_ties_in_table_order()
    {
        var train = new InteractionTable([0, 1, 0, 0], [5, 1, 7, 6], [1, 2, 3, 4], [30, 10, 10, 10], userCount: 2, itemCount: 8);
        var validation = new InteractionTable([0], [2], [5], [10], userCount: 2, itemCount: 8);

        var histories = UserHistories.Build(train, validation);

        Assert.Equal([7, 6, 2, 5], histories.ItemsOf(0).ToArray());
        Assert.Equal([3f, 4f, 5f, 1f], histories.Ratings.AsSpan(histories.Offsets[0], 4).ToArray());
        Assert.Equal([2, 5], histories.RecentItems(0, 2).ToArray());
        Assert.Equal([1], histories.ItemsOf(1).ToArray());
    }

    [Fact]
    public void Graph_adjacency_is_symmetric_normalised_filtered_and_merged()
    {
        // u0–i0, u0–i1 (twice, merged), u1–i1, and u1–i2 rated below the threshold.
        var train = new InteractionTable([0, 0, 0, 1, 1], [0, 1, 1, 1, 2], [4, 5, 5, 3, 1], [1, 2, 3, 4, 5], userCount: 2, itemCount: 3);
        var graph = InteractionGraph.Build([train], minRating: 2, weightByRating: false);
        using var scope = NewDisposeScope();

        var symmetric = graph.SymmetricAdjacency(CPU).to_dense();
        var mean = graph.MeanAdjacency(CPU).to_dense();

        Assert.Equal(3, graph.EdgeCount);
        Assert.Equal([3.0, 1.0, 1.0, 3.0, 0.0], graph.Degrees());
        // float32 entries: a few units in the last place (1.2e-7 each) of the exact values.
        Approx.AllEqual(Floats(symmetric.t()), Floats(symmetric), rel: 1e-6, abs: 0, "symmetric adjacency against its transpose");
        Approx.Equal(2 / Math.Sqrt(3 * 3), symmetric[0, 3].item<float>(), rel: 1e-6, abs: 0, "u0–i1 (two merged edges)");
        Approx.Equal(1 / Math.Sqrt(1 * 3), symmetric[1, 3].item<float>(), rel: 1e-6, abs: 0, "u1–i1");
        Assert.Equal(0, symmetric[1, 4].item<float>());
        Approx.AllEqual([1f, 1, 1, 1, 0], Floats(mean.sum(1)), rel: 0, abs: 1e-6, "row sums of the mean adjacency");
    }

    [Fact]
    public void The_symmetric_sparse_product_has_the_value_and_gradient_of_the_sparse_product()
    {
        var train = new InteractionTable([0, 0, 1, 2, 2, 2], [0, 1, 1, 0, 2, 3], [4, 5, 3, 2, 5, 1], [1, 2, 3, 4, 5, 6], userCount: 3, itemCount: 4);
        using var scope = NewDisposeScope();
        var adjacency = InteractionGraph.Build([train], minRating: null, weightByRating: true).SymmetricAdjacency(CPU);
        var start = tensor(Enumerable.Range(0, 35).Select(i => MathF.Sin(i * 1.3f)).ToArray(), [7, 5]);
        var weights = tensor(Enumerable.Range(0, 35).Select(i => MathF.Cos(i * 0.7f)).ToArray(), [7, 5]);

        var (_, gradient) = AssertSameTwoLayerProduct(
            x => mm(adjacency, x), x => SymmetricSparseProduct.Of(adjacency, x), start, weights, rel: 1e-6, abs: 1e-7);

        Assert.True(gradient.Any(value => value != 0), "the test needs a gradient that is not zero");
    }

    [Theory]
    [InlineData(64)]
    [InlineData(13)]
    public void The_CSR_product_equals_the_COO_product_in_value_and_gradient(int dim)
    {
        // 300 users × 200 movies with repeated pairs (merged), users without edges and movies nobody rated.
        var random = new Random(dim);
        var pairs = Enumerable.Range(0, 4000).Select(_ => (User: random.Next(280), Item: random.Next(190))).ToArray();
        var train = new InteractionTable(
            [.. pairs.Select(p => p.User)], [.. pairs.Select(p => p.Item)], [.. pairs.Select(_ => (float)random.Next(1, 6))],
            [.. pairs.Select((_, i) => (long)i)], userCount: 300, itemCount: 200);
        var graph = InteractionGraph.Build([train], minRating: null, weightByRating: true);
        using var scope = NewDisposeScope();
        var coo = graph.SymmetricAdjacency(CPU);
        var csr = graph.SymmetricCsr();
        var start = randn(graph.NodeCount, dim, generator: new Generator(7));
        var weights = randn(graph.NodeCount, dim, generator: new Generator(8));

        var (product, _) = AssertSameTwoLayerProduct(
            x => mm(coo, x), x => SymmetricSparseProduct.Of(csr, x), start, weights, rel: 1e-5, abs: 1e-6);

        Assert.Equal(2 * graph.EdgeCount, csr.NonzeroCount);
        Assert.True(product.Count(value => value != 0) > graph.NodeCount, "the test needs a product that is not mostly zero");
    }

    /// <summary>
    /// A·A·X and the gradient of sum(W ∘ A·A·X) with respect to X, by libtorch's autograd (<paramref name="expected"/>)
    /// and by the product under test; returns the latter's product and gradient.
    /// </summary>
    private static (float[] Product, float[] Gradient) AssertSameTwoLayerProduct(
        Func<Tensor, Tensor> expected, Func<Tensor, Tensor> actual, Tensor start, Tensor weights, double rel, double abs)
    {
        var plain = start.detach().clone().requires_grad_();
        var custom = start.detach().clone().requires_grad_();
        var plainOut = expected(expected(plain));
        var customOut = actual(actual(custom));
        (plainOut * weights).sum().backward();
        (customOut * weights).sum().backward();

        Approx.AllEqual(Floats(plainOut), Floats(customOut), rel, abs, "A·A·X");
        Approx.AllEqual(Floats(plain.grad!), Floats(custom.grad!), rel: 1e-5, abs: 1e-6, "the gradient of sum(W ∘ A·A·X) with respect to X");
        return (Floats(customOut), Floats(custom.grad!));
    }

    [Fact]
    public void Side_features_give_normalised_genre_and_demographic_rows()
    {
        var dataset = SyntheticData.Random(users: 4, movies: 6, perUser: 3, seed: 9);

        var features = SideFeatures.Build(dataset, genres: true, tags: true, demographics: true, minTagMovies: 2);

        Assert.Null(features.Tags);
        Assert.Equal(["Action", "Comedy", "Drama", "Horror"], features.Genres!.Vocabulary);
        Assert.Equal(6, features.Genres.Values.Length);
        Assert.Contains("gender:M", features.Demographics!.Vocabulary);
        Assert.Contains("occupation:student", features.Demographics.Vocabulary);
        var rowSums = features.Demographics.RowIndices.Zip(features.Demographics.Values).GroupBy(p => p.First).Select(g => g.Sum(p => p.Second));
        Assert.All(rowSums, sum => Approx.Equal(1, sum, rel: 0, abs: 1e-6, "demographic row sum"));
    }

    [Fact]
    public void Invalid_options_and_model_names_are_rejected_by_name()
    {
        var split = SyntheticData.LeaveOneOut(SyntheticData.Random(users: 5, movies: 6, perUser: 4, seed: 1));

        var model = Assert.Throws<ArgumentException>(() => ModelTrainer.Train("transformer", split, TinyModels.Options));
        Assert.Contains("gcn-lstm", model.Message);
        var option = Assert.Throws<ArgumentException>(() => ModelTrainer.Train("bpr", split, TinyModels.Options with { LstmDropout = 1.5 }));
        Assert.Contains("TrainingOptions.LstmDropout", option.Message);
    }

    private static InteractionTable Table(int[] users, int[] items) =>
        new(users, items, items.Select(_ => 1f).ToArray(), items.Select(_ => 0L).ToArray(), userCount: 1, itemCount: 6);

    private static float[] Floats(Tensor tensor) => tensor.contiguous().data<float>().ToArray();

    private sealed class FixedScorer(float[] scores) : IItemScorer
    {
        public int ItemCount => scores.Length;

        public void ScoreUsers(ReadOnlySpan<int> users, Span<float> output)
        {
            for (var u = 0; u < users.Length; u++)
            {
                scores.CopyTo(output.Slice(u * scores.Length, scores.Length));
            }
        }
    }
}
