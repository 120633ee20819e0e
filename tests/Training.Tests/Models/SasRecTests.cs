using Recommender.Model.Evaluation;
using Recommender.Testing;
using Recommender.Training.Models;
using Recommender.Training.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Tests.Models;

[Collection(TorchCollection.Name)]
public sealed class SasRecTests
{
    private static readonly SasRecOptions Tiny = new() { Hidden = 16, Inner = 32, HiddenDropout = 0.2, AttentionDropout = 0.2, LearningRate = 0.01, BatchSize = 32 };

    /// <summary>
    /// The Markov chain's hr@10 on this data is 0.603 (see TrainingTests); SASRec must find the sequels too, with the
    /// full softmax and with the sampled one large catalogues use.
    /// </summary>
    [Theory]
    [InlineData(2000)]
    [InlineData(0)]
    public void Sasrec_finds_planted_sequels_at_least_as_well_as_a_markov_chain(int fullSoftmaxMaxItems)
    {
        var split = SyntheticData.LeaveOneOut(SyntheticData.PlantedSequels(users: 300, movies: 80, minLength: 8, maxLength: 16, sequelProbability: 0.5, tastes: 4, seed: 11));
        var options = TinyModels.Options with { MaxHistory = 16, MaxEpochs = 30, Patience = 30 };

        using var sasRec = SasRecTrainer.Train(split, options, Tiny with { Hidden = 32, Inner = 64, FullSoftmaxMaxItems = fullSoftmaxMaxItems });

        var excluded = UserItemLists.Build(split.Train, split.Validation);
        var relevant = UserItemLists.Build(split.Test);
        var markov = TestData.Rank(MarkovRecommender.Fit(split), excluded, relevant, 10).HitRate;
        var sequential = TestData.Rank(sasRec, excluded, relevant, 10).HitRate;
        Assert.True(sequential >= markov, $"sasrec hr@10 {sequential:F3} is below the Markov chain's {markov:F3}");
        Assert.InRange(sasRec.BestEpoch, 1, options.MaxEpochs);
        Assert.Equal(sasRec.History.Count, sasRec.History[^1].Epoch);
    }

    [Fact]
    public void A_users_history_scores_as_the_user_and_an_empty_one_as_popularity()
    {
        var split = SyntheticData.LeaveOneOut(SyntheticData.PlantedSequels(users: 60, movies: 30, minLength: 4, maxLength: 20, sequelProbability: 0.5, tastes: 3, seed: 5));
        var options = TinyModels.Options with { MaxEpochs = 2 };
        using var sasRec = SasRecTrainer.Train(split, options, Tiny);
        var histories = UserHistories.Build(split.Train, split.Validation);
        var itemCount = sasRec.ItemCount;
        var users = new[] { 0, 7, 23 };
        var byUser = new float[users.Length * itemCount];

        sasRec.ScoreUsers(users, byUser);

        for (var row = 0; row < users.Length; row++)
        {
            // Longer than L = 12 for some users: the history scorer must cut it as ScoreUsers does.
            var byHistory = new float[itemCount];
            sasRec.ScoreHistory(histories.ItemsOf(users[row]), byHistory);
            Approx.AllEqual(byUser.AsSpan(row * itemCount, itemCount), byHistory, rel: 1e-4, abs: 1e-5, $"user {users[row]}: history against user");
        }
        var empty = new float[itemCount];
        var popularity = new float[itemCount];
        sasRec.ScoreHistory([], empty);
        PopularityRecommender.Fit(split).ScoreHistory([], popularity);
        Approx.AllEqual(popularity, empty, rel: 0, abs: 0, "empty history against popularity");
    }

    [Fact]
    public void A_state_depends_on_nothing_after_its_position()
    {
        TorchRuntime.Initialize(TinyModels.Options);
        const int itemCount = 20;
        using var network = new SasRecNetwork(itemCount, maxLength: 8, blockCount: 2, heads: 2, hidden: 16, inner: 32, hiddenDropout: 0.5, attentionDropout: 0.2);
        network.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var shortAlone = network.Encode(tensor(new long[] { 3, 14, 5 }, [1, 3]));
        var batch = network.Encode(tensor(new long[] { 3, 14, 5, itemCount, itemCount, itemCount, 3, 14, 5, 9, 1, 17 }, [2, 6]));
        var last = network.EncodeLast(tensor(new long[] { 3, 14, 5, itemCount, itemCount, itemCount, 3, 14, 5, 9, 1, 17 }, [2, 6]), tensor(new long[] { 3, 6 }));

        var expected = Floats(shortAlone[0]);
        Approx.AllEqual(expected, Floats(batch[0].narrow(0, 0, 3)), rel: 1e-4, abs: 1e-5, "short sequence padded in a batch against alone");
        Approx.AllEqual(expected, Floats(batch[1].narrow(0, 0, 3)), rel: 1e-4, abs: 1e-5, "first three positions of a longer sequence against the prefix alone");
        Approx.AllEqual(Floats(shortAlone[0][2]), Floats(last[0]), rel: 1e-4, abs: 1e-5, "last valid state of the short sequence");
        Assert.True((last[1] - last[0]).abs().max().item<float>() > 1e-3f, "the test cannot tell the sequences apart");
    }

    [Theory]
    [InlineData(nameof(SasRecOptions.Blocks))]
    [InlineData(nameof(SasRecOptions.Heads))]
    [InlineData(nameof(SasRecOptions.Hidden))]
    [InlineData(nameof(SasRecOptions.Inner))]
    [InlineData(nameof(SasRecOptions.HiddenDropout))]
    [InlineData(nameof(SasRecOptions.AttentionDropout))]
    [InlineData(nameof(SasRecOptions.LearningRate))]
    [InlineData(nameof(SasRecOptions.BatchSize))]
    [InlineData(nameof(SasRecOptions.FullSoftmaxMaxItems))]
    public void Validate_names_the_invalid_parameter(string field)
    {
        var options = field switch
        {
            nameof(SasRecOptions.Blocks) => new SasRecOptions { Blocks = 0 },
            nameof(SasRecOptions.Heads) => new SasRecOptions { Heads = -1 },
            nameof(SasRecOptions.Hidden) => new SasRecOptions { Heads = 3, Hidden = 64 },
            nameof(SasRecOptions.Inner) => new SasRecOptions { Inner = 0 },
            nameof(SasRecOptions.HiddenDropout) => new SasRecOptions { HiddenDropout = 1 },
            nameof(SasRecOptions.AttentionDropout) => new SasRecOptions { AttentionDropout = -0.1 },
            nameof(SasRecOptions.LearningRate) => new SasRecOptions { LearningRate = 0 },
            nameof(SasRecOptions.FullSoftmaxMaxItems) => new SasRecOptions { FullSoftmaxMaxItems = -1 },
            _ => new SasRecOptions { BatchSize = 0 },
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal(field, error.ParamName);
        Assert.Contains($"SasRecOptions.{field}", error.Message);
    }

    [Fact]
    public void The_defaults_are_valid()
    {
        new SasRecOptions().Validate();
    }

    private static float[] Floats(Tensor tensor) => tensor.contiguous().data<float>().ToArray();
}
