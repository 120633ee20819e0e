using Recommender.Training.Export;
using Recommender.Model.Evaluation;
using Recommender.Training.Models;
using Recommender.Training.Tests.Native;
using Recommender.Training.Trainers;

namespace Recommender.Training.Tests.Models;

[Collection(TorchCollection.Name)]
public sealed class InferenceContractTests
{
    [Fact]
    public void Arch_tables_reproduce_the_scores_of_the_trained_gcn_lstm()
    {
        var split = SyntheticData.LeaveOneOut(SyntheticData.PlantedOrder(users: 40, movies: 30, minLength: 5, maxLength: 20, seed: 5));
        using var model = ModelTrainer.Train("gcn-lstm", split, TinyModels.Options);
        var tables = model.ToInferenceWeights();
        Assert.Equal(TinyModels.Options.LstmLayers, tables.Layers);
        Assert.Equal(tables.MovieCount * tables.Dim, tables.MovieTable.Length);
        Assert.Equal(tables.Dim * tables.Hidden, tables.ProjectionWeight.Length);
        Assert.Equal(tables.Dim * 2 * tables.Dim, tables.GateWeight.Length);
        Assert.Equal(4 * tables.Hidden * tables.Dim, tables.Lstm[0].WeightIh.Length);
        Assert.Equal(4 * tables.Hidden * tables.Hidden, tables.Lstm[1].WeightIh.Length);

        var users = Enumerable.Range(0, tables.UserCount).ToArray();
        var scores = new float[users.Length * tables.MovieCount];
        model.Scorer.ScoreUsers(users, scores);
        foreach (var user in users)
        {
            var vector = ReferenceUserVector(tables, user, RecentHistory(split, user, tables.MaxHistory));
            for (var movie = 0; movie < tables.MovieCount; movie++)
            {
                var expected = 0f;
                for (var d = 0; d < tables.Dim; d++)
                {
                    expected += vector[d] * tables.MovieTable[movie * tables.Dim + d];
                }
                Assert.Equal(expected, scores[user * tables.MovieCount + movie], 3);
            }
        }
    }

    [Fact]
    public void A_saved_model_loads_with_the_same_scores_tables_and_history()
    {
        var split = SyntheticData.LeaveOneOut(SyntheticData.Random(users: 30, movies: 20, perUser: 8, seed: 6));
        using var folder = new TemporaryFolder();
        using var model = ModelTrainer.Train("gcn-lstm", split, TinyModels.Options);
        model.Save(folder.Path);
        using var loaded = TrainedModel.Load(folder.Path);

        var users = Enumerable.Range(0, 30).ToArray();
        var before = new float[users.Length * 20];
        var after = new float[users.Length * 20];
        model.Scorer.ScoreUsers(users, before);
        loaded.Scorer.ScoreUsers(users, after);
        Assert.Equal(before, after);
        Assert.Equal(model.ToInferenceWeights().GateWeight, loaded.ToInferenceWeights().GateWeight);
        Assert.Equal(model.ToInferenceWeights().Lstm[1].WeightHh, loaded.ToInferenceWeights().Lstm[1].WeightHh);
        Assert.Equal(model.History, loaded.History);
        Assert.Equal(model.Rating, loaded.Rating);
        Assert.Equal(model.ItemRawIds, loaded.ItemRawIds);
        Assert.Equal(model.PredictRatings([0, 1], [2, 3]), loaded.PredictRatings([0, 1], [2, 3]));
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

    /// <summary>ARCH.md's user vector computed from the plain tables, with a textbook LSTM (gates i, f, g, o).</summary>
    private static float[] ReferenceUserVector(GcnLstmInferenceWeights t, int user, int[] history)
    {
        var dim = t.Dim;
        var hidden = t.Hidden;
        var graph = t.UserTable.AsSpan(user * dim, dim).ToArray();
        if (history.Length == 0)
        {
            return graph;
        }
        var inputs = history.Select(m => t.MovieTable.AsSpan(m * dim, dim).ToArray()).ToList();
        foreach (var layer in t.Lstm)
        {
            var h = new float[hidden];
            var c = new float[hidden];
            var outputs = new List<float[]>();
            foreach (var x in inputs)
            {
                var gates = new float[4 * hidden];
                for (var r = 0; r < 4 * hidden; r++)
                {
                    var sum = layer.BiasIh[r] + layer.BiasHh[r];
                    for (var k = 0; k < x.Length; k++)
                    {
                        sum += layer.WeightIh[r * x.Length + k] * x[k];
                    }
                    for (var k = 0; k < hidden; k++)
                    {
                        sum += layer.WeightHh[r * hidden + k] * h[k];
                    }
                    gates[r] = sum;
                }
                for (var k = 0; k < hidden; k++)
                {
                    var input = Sigmoid(gates[k]);
                    var forget = Sigmoid(gates[hidden + k]);
                    var candidate = MathF.Tanh(gates[2 * hidden + k]);
                    var output = Sigmoid(gates[3 * hidden + k]);
                    c[k] = forget * c[k] + input * candidate;
                    h[k] = output * MathF.Tanh(c[k]);
                }
                outputs.Add((float[])h.Clone());
            }
            inputs = outputs;
        }
        var last = inputs[^1];
        var sequence = new float[dim];
        for (var r = 0; r < dim; r++)
        {
            sequence[r] = t.ProjectionBias[r];
            for (var k = 0; k < hidden; k++)
            {
                sequence[r] += t.ProjectionWeight[r * hidden + k] * last[k];
            }
        }
        var vector = new float[dim];
        for (var r = 0; r < dim; r++)
        {
            var z = t.GateBias[r];
            for (var k = 0; k < dim; k++)
            {
                z += t.GateWeight[r * 2 * dim + k] * graph[k] + t.GateWeight[r * 2 * dim + dim + k] * sequence[k];
            }
            z = Sigmoid(z);
            vector[r] = z * graph[r] + (1 - z) * sequence[r];
        }
        return vector;
    }

    private static float Sigmoid(float x) => 1 / (1 + MathF.Exp(-x));
}
