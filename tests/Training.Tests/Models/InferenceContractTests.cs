using System.Numerics.Tensors;
using Recommender.Model.Engine;
using Recommender.Model.Evaluation;
using Recommender.Training.Export;
using Recommender.Training.Models;
using Recommender.Training.Tests.Export;
using Recommender.Training.Tests.Native;
using Recommender.Training.Trainers;

namespace Recommender.Training.Tests.Models;

[Collection(TorchCollection.Name)]
public sealed class InferenceContractTests
{
    /// <param name="sequenceDimShare">The contract holds whether or not the sequence part has columns of its own.</param>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void Arch_tables_reproduce_the_scores_of_the_trained_gcn_lstm(double sequenceDimShare)
    {
        // TinyModels' hidden 16 on purpose: on AVX-512 CPUs oneDNN 3.7.1's inference LSTM kernel gets hidden ≤ 16 wrong
        // (scores off by 4e-4), which NativeEnvironment avoids by holding oneDNN to AVX2; this test fails if that stops.
        var options = TinyModels.Options with { SequenceDimShare = sequenceDimShare };
        var split = SyntheticData.LeaveOneOut(SyntheticData.PlantedOrder(users: 40, movies: 30, minLength: 5, maxLength: 20, seed: 5));
        using var model = ModelTrainer.Train("gcn-lstm", split, options);
        var tables = GcnLstmInferenceWeights.From(model);
        Assert.Equal(options.LstmLayers, tables.Layers);
        Assert.Equal(tables.MovieCount * tables.Dim, tables.MovieTable.Length);
        Assert.Equal(tables.Dim * tables.Hidden, tables.ProjectionWeight.Length);
        Assert.Equal(tables.Dim * 2 * tables.Dim, tables.GateWeight.Length);
        Assert.Equal(4 * tables.Hidden * tables.Dim, tables.Lstm[0].WeightIh.Length);
        Assert.Equal(4 * tables.Hidden * tables.Hidden, tables.Lstm[1].WeightIh.Length);

        var users = Enumerable.Range(0, tables.UserCount).ToArray();
        var scores = new float[users.Length * tables.MovieCount];
        model.Scorer.ScoreUsers(users, scores);
        var reference = new ReferenceGcnLstm(tables);
        var movieTable = tables.MovieTable.Select(value => (double)value).ToArray();
        var expected = new double[scores.Length];
        foreach (var user in users)
        {
            var vector = reference.UserVector(RecentHistory(split, user, tables.MaxHistory), tables.UserTable.AsSpan(user * tables.Dim, tables.Dim));
            for (var movie = 0; movie < tables.MovieCount; movie++)
            {
                expected[user * tables.MovieCount + movie] = TensorPrimitives.Dot<double>(vector, movieTable.AsSpan(movie * tables.Dim, tables.Dim));
            }
        }
        // float32 all the way (values < 1, two LSTM layers over ≤ 12 steps, 16-term dot products): rounding stays near
        // 1e-7; an LSTM that departs from the contract moves scores by 1e-4 and more even through the fusion gate.
        Approx.AllEqual(expected, scores, rel: 0, abs: 1e-6, "scores of every user and movie");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void A_saved_model_loads_with_the_same_scores_tables_and_history(double sequenceDimShare)
    {
        var split = SyntheticData.LeaveOneOut(SyntheticData.Random(users: 30, movies: 20, perUser: 8, seed: 6));
        using var folder = new TemporaryFolder();
        using var model = ModelTrainer.Train("gcn-lstm", split, TinyModels.Options with { SequenceDimShare = sequenceDimShare });
        model.Save(folder.Path);
        using var loaded = TrainedModel.Load(folder.Path);

        var users = Enumerable.Range(0, 30).ToArray();
        var before = new float[users.Length * 20];
        var after = new float[users.Length * 20];
        model.Scorer.ScoreUsers(users, before);
        loaded.Scorer.ScoreUsers(users, after);
        Assert.Equal(before, after);
        Assert.Equal(GcnLstmInferenceWeights.From(model).GateWeight, GcnLstmInferenceWeights.From(loaded).GateWeight);
        Assert.Equal(GcnLstmInferenceWeights.From(model).Lstm[1].WeightHh, GcnLstmInferenceWeights.From(loaded).Lstm[1].WeightHh);
        Assert.Equal(model.History, loaded.History);
        Assert.Equal(model.Rating, loaded.Rating);
        Assert.Equal(model.ItemRawIds, loaded.ItemRawIds);
        Assert.Equal(model.PredictRatings([0, 1], [2, 3]), loaded.PredictRatings([0, 1], [2, 3]));
    }

    /// <summary>The session protocol scores the served path; this is what makes it the trained model's answer.</summary>
    [Theory]
    [InlineData(0.0, false)]
    [InlineData(0.5, false)]
    [InlineData(0.0, true)]
    [InlineData(0.5, true)]
    public void The_served_session_path_ranks_a_history_as_the_trained_model_does(double sequenceDimShare, bool sessionFoldIn)
    {
        var split = SyntheticData.LeaveOneOut(SyntheticData.PlantedOrder(users: 40, movies: 30, minLength: 5, maxLength: 20, seed: 8));
        using var folder = new TemporaryFolder();
        using var model = ModelTrainer.Train("gcn-lstm", split, TinyModels.Options with { SequenceDimShare = sequenceDimShare, SessionFoldIn = sessionFoldIn, AnonymousRate = 0.5 });
        var bundle = Path.Combine(folder.Path, "bundle");
        ModelBundleExporter.Export(model, split, bundle, new Dictionary<string, double>());
        using var engine = RecommendationEngine.Load(bundle);
        const int count = 5;
        var served = new ServedHistoryScorer(engine, split.Dataset.Items, count);
        var trained = model.HistoryScorer();
        var random = new Random(3);
        var expectedLists = new List<IReadOnlyList<int>>();
        var servedLists = new List<IReadOnlyList<int>>();
        for (var session = 0; session < 20; session++)
        {
            var history = Enumerable.Range(0, 30).OrderBy(_ => random.Next()).Take(1 + session % 12).ToArray();
            var expected = new float[trained.ItemCount];
            var actual = new float[served.ItemCount];
            trained.ScoreHistory(history, expected);
            served.ScoreHistory(history, actual);
            var servedList = Enumerable.Range(0, actual.Length).Where(item => !float.IsNegativeInfinity(actual[item])).OrderByDescending(item => actual[item]).ToArray();
            Assert.Equal(count, servedList.Length);
            Approx.AllEqual(servedList.Select(item => expected[item]).ToArray(), servedList.Select(item => actual[item]).ToArray(), rel: 1e-5, abs: 1e-6, $"served scores of session {session}");
            expectedLists.Add(Enumerable.Range(0, expected.Length).Except(history).OrderByDescending(item => expected[item]).Take(count).ToArray());
            servedLists.Add(servedList);
        }
        TopK.MostlyIdentical(expectedLists, servedLists, maxDiffering: 1, "served session lists");
    }

    [Fact]
    public void Loading_a_folder_without_a_model_names_the_missing_file()
    {
        using var folder = new TemporaryFolder();
        var error = Assert.Throws<FileNotFoundException>(() => TrainedModel.Load(folder.Path));
        Assert.Contains("model.json", error.Message);
    }

    /// <summary>The user's train + validation movies in time order (train first among equal times), the last L.</summary>
    private static int[] RecentHistory(DataSplit split, int user, int maxHistory)
    {
        var rows = new List<(long Time, int Order, int Movie)>();
        var order = 0;
        foreach (var table in new[] { split.Train, split.Validation })
        {
            for (var row = 0; row < table.Count; row++, order++)
            {
                if (table.Users[row] == user)
                {
                    rows.Add((table.Timestamps[row], order, table.Items[row]));
                }
            }
        }
        return rows.Order().Select(r => r.Movie).TakeLast(maxHistory).ToArray();
    }
}
