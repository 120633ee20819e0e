using Recommender.Model.Evaluation;
using Recommender.Training.Export;
using Recommender.Training.Models;
using Recommender.Training.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Tests.Models;

[Collection(TorchCollection.Name)]
public sealed class TrainingTests
{
    [Fact]
    public void Gradients_reach_the_graph_sequence_fusion_and_rating_parameters()
    {
        var dataset = SyntheticData.Random(users: 30, movies: 20, perUser: 8, seed: 1);
        var split = SyntheticData.LeaveOneOut(dataset);
        var options = TinyModels.Options with { AnonymousRate = 0.5 };
        var device = TorchRuntime.Initialize(options);
        using var session = new TrainingSession(ModelKind.GcnLstm, split, options, device);
        using var scope = NewDisposeScope();

        var (ranking, rating) = session.UserLosses(Enumerable.Range(0, 30).ToArray(), TrainingStage.Full);
        (ranking! + rating!).backward();

        var names = new List<string>();
        foreach (var (name, parameter) in session.Network.named_parameters())
        {
            names.Add(name);
            var gradient = parameter.grad;
            Assert.True(gradient is not null, $"{name} has no gradient");
            Assert.True(gradient.abs().sum().item<float>() > 0, $"{name} has a zero gradient");
        }
        foreach (var expected in new[] { "graph.userIds", "graph.itemIds", "graph.genreWeight", "graph.demographicWeight", "sequence.lstm", "sequence.projection", "fusion.gate", "anonymous", "rating" })
        {
            Assert.Contains(names, n => n.StartsWith(expected, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_step_that_reuses_the_propagation_does_not_propagate_again_and_still_trains_the_layer_0_embeddings()
    {
        var split = SyntheticData.LeaveOneOut(SyntheticData.Random(users: 30, movies: 20, perUser: 8, seed: 5));
        // Nothing random in the losses: no dropout, no sessions, the full softmax over the 20 movies.
        var options = TinyModels.Options with { InputDropout = 0, LstmDropout = 0, TransitionDropout = 0, AnonymousRate = 0 };
        var device = TorchRuntime.Initialize(options);
        using var reusing = new TrainingSession(ModelKind.GcnLstm, split, options with { GraphRefreshSteps = 2 }, device);
        TorchRuntime.Initialize(options);
        using var propagating = new TrainingSession(ModelKind.GcnLstm, split, options, device);
        var users = Enumerable.Range(0, 30).ToArray();
        using var scope = NewDisposeScope();

        var first = reusing.UserLosses(users, TrainingStage.Full).Ranking!.item<float>();
        Approx.Equal(propagating.UserLosses(users, TrainingStage.Full).Ranking!.item<float>(), first, rel: 1e-6, abs: 0, "the first step, which propagates in both");
        foreach (var session in new[] { reusing, propagating })
        {
            using var noGrad = no_grad();
            ItemIds(session).mul_(1.5f);
        }
        var reused = reusing.UserLosses(users, TrainingStage.Full).Ranking!;
        var propagated = propagating.UserLosses(users, TrainingStage.Full).Ranking!.item<float>();
        reused.backward();

        Assert.True(Math.Abs(reused.item<float>() - propagated) > 1e-4, $"the second step propagated again: {reused.item<float>()} against {propagated}");
        Assert.True(ItemIds(reusing).grad!.abs().sum().item<float>() > 0, "layer-0 movie embeddings get no gradient on a step that reuses the propagation");
    }

    private static Tensor ItemIds(TrainingSession session) =>
        session.Network.named_parameters().Single(pair => pair.name == "graph.itemIds.weight").parameter;

    [Fact]
    public void Early_stopping_waits_for_the_minimum_epochs_of_each_stage()
    {
        var split = SyntheticData.LeaveOneOut(SyntheticData.Random(users: 30, movies: 20, perUser: 8, seed: 3));
        var impatient = TinyModels.Options with { MaxEpochs = 12, GraphWarmupEpochs = 12, Patience = 1, MinEpochs = 0, LearningRate = 0.2 };

        using var stoppedEarly = ModelTrainer.Train("gcn-lstm", split, impatient);
        using var heldOff = ModelTrainer.Train("gcn-lstm", split, impatient with { MinEpochs = 7 });

        Assert.True(stoppedEarly.History.Count(e => e.Stage == TrainingStage.GraphWarmup) < 7, "the test needs a curve that early stopping ends before epoch 7");
        Assert.True(heldOff.History.Count(e => e.Stage == TrainingStage.GraphWarmup) >= 7);
        Assert.True(heldOff.History.Count(e => e.Stage == TrainingStage.Full) >= 7);
    }

    [Fact]
    public void Training_twice_with_the_same_seed_gives_identical_weights()
    {
        var split = SyntheticData.LeaveOneOut(SyntheticData.Random(users: 40, movies: 25, perUser: 10, seed: 2));

        using var first = ModelTrainer.Train("gcn-lstm", split, TinyModels.Options);
        using var second = ModelTrainer.Train("gcn-lstm", split, TinyModels.Options);
        using var otherSeed = ModelTrainer.Train("gcn-lstm", split, TinyModels.Options with { Seed = 7 });

        var a = GcnLstmInferenceWeights.From(first);
        var b = GcnLstmInferenceWeights.From(second);
        Assert.Equal(a.MovieTable, b.MovieTable);
        Assert.Equal(a.UserTable, b.UserTable);
        Assert.Equal(a.Anonymous, b.Anonymous);
        Assert.Equal(a.Lstm.SelectMany(l => l.WeightIh.Concat(l.WeightHh).Concat(l.BiasIh).Concat(l.BiasHh)), b.Lstm.SelectMany(l => l.WeightIh.Concat(l.WeightHh).Concat(l.BiasIh).Concat(l.BiasHh)));
        Assert.Equal(a.GateWeight, b.GateWeight);
        Assert.Equal(first.History.Select(e => e.Loss), second.History.Select(e => e.Loss));
        Assert.NotEqual(a.MovieTable, GcnLstmInferenceWeights.From(otherSeed).MovieTable);
    }

    [Fact]
    public void Gcn_lstm_finds_a_planted_watching_order_that_lightgcn_cannot_see()
    {
        var split = SyntheticData.LeaveOneOut(SyntheticData.PlantedOrder(users: 240, movies: 60, minLength: 10, maxLength: 18, seed: 3));
        var options = TinyModels.Options with { Dim = 24, Hidden = 32, LstmLayers = 1, MaxEpochs = 25, GraphWarmupEpochs = 10, Patience = 25, MaxHistory = 20 };

        using var lightGcn = ModelTrainer.Train("lightgcn", split, options);
        using var gcnLstm = ModelTrainer.Train("gcn-lstm", split, options);

        var excluded = UserItemLists.Build(split.Train, split.Validation);
        var relevant = UserItemLists.Build(split.Test);
        var graphOnly = TestData.Rank(lightGcn.Scorer, excluded, relevant, 10);
        var sequenceAware = TestData.Rank(gcnLstm.Scorer, excluded, relevant, 10);
        Assert.True(sequenceAware.HitRate > graphOnly.HitRate + 0.15,
            $"gcn-lstm hr@10 {sequenceAware.HitRate:F3} does not clearly beat lightgcn {graphOnly.HitRate:F3}");
    }

    /// <summary>
    /// Tastes for the graph, sequels for the sequence: the graph half alone stays below the Markov chain, so gcn-lstm
    /// reaches it only with a working sequence half (here: gcn-lstm 0.690, Markov chain 0.603, lightgcn 0.320, lstm alone 0.733; the seed
    /// design, SequenceDimShare 0, scores 0.653 on this data and fails on ml-100k with planted sequels).
    /// </summary>
    [Fact]
    public void Gcn_lstm_finds_planted_sequels_at_least_as_well_as_a_markov_chain()
    {
        var split = SyntheticData.LeaveOneOut(SyntheticData.PlantedSequels(users: 300, movies: 80, minLength: 8, maxLength: 16, sequelProbability: 0.5, tastes: 4, seed: 11));
        var options = TinyModels.Options with
        {
            Dim = 32, SequenceDimShare = 0.5, SequenceUserBatchSize = 16, Hidden = 32, LstmLayers = 1, MaxEpochs = 30, GraphWarmupEpochs = 5, Patience = 30,
            MaxHistory = 16,
        };

        using var gcnLstm = ModelTrainer.Train("gcn-lstm", split, options);
        using var lightGcn = ModelTrainer.Train("lightgcn", split, options);

        var excluded = UserItemLists.Build(split.Train, split.Validation);
        var relevant = UserItemLists.Build(split.Test);
        var markov = TestData.Rank(MarkovRecommender.Fit(split), excluded, relevant, 10).HitRate;
        var graphOnly = TestData.Rank(lightGcn.Scorer, excluded, relevant, 10).HitRate;
        var fused = TestData.Rank(gcnLstm.Scorer, excluded, relevant, 10).HitRate;
        Assert.True(graphOnly < markov, $"the data does not need the sequence half: lightgcn hr@10 {graphOnly:F3}, Markov chain {markov:F3}");
        Assert.True(fused >= markov, $"gcn-lstm hr@10 {fused:F3} is below the Markov chain's {markov:F3} (lightgcn {graphOnly:F3})");
    }
}
