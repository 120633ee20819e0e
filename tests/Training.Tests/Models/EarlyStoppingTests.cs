using Recommender.Training.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Tests.Models;

[Collection(TorchCollection.Name)]
public sealed class EarlyStoppingTests
{
    [Fact]
    public void Stops_after_patience_epochs_without_a_better_one_and_restores_the_best_weights()
    {
        TorchRuntime.Initialize(TinyModels.Options);
        using var network = nn.Linear(2, 1);
        using var stopping = new EarlyStopping(network, firstEpoch: 1, minEpochs: 2, patience: 2);
        bool Epoch(int epoch, double ndcg)
        {
            using var noGrad = no_grad();
            network.weight!.fill_(epoch);
            return stopping.Observe(epoch, ndcg);
        }

        Assert.False(Epoch(1, 0.10));
        Assert.False(Epoch(2, 0.30));
        Assert.False(Epoch(3, 0.20));
        Assert.True(Epoch(4, 0.30));
        stopping.RestoreBest();

        Assert.Equal(2, stopping.BestEpoch);
        Assert.Equal(0.30, stopping.BestNdcg);
        Assert.Equal([2f, 2f], network.weight!.data<float>().ToArray());
    }

    [Fact]
    public void A_later_stage_keeps_the_earlier_weights_unless_it_beats_them()
    {
        TorchRuntime.Initialize(TinyModels.Options);
        using var network = nn.Linear(2, 1);
        using (no_grad())
        {
            network.weight!.fill_(7);
        }
        using var stopping = new EarlyStopping(network, firstEpoch: 11, minEpochs: 1, patience: 1);
        stopping.KeepCurrent(0.5);
        using (no_grad())
        {
            network.weight!.fill_(11);
        }

        Assert.True(stopping.Observe(11, 0.4));
        stopping.RestoreBest();

        Assert.Equal(10, stopping.BestEpoch);
        Assert.Equal([7f, 7f], network.weight!.data<float>().ToArray());
    }

    [Fact]
    public void Without_validation_every_epoch_counts_and_the_last_weights_stay()
    {
        TorchRuntime.Initialize(TinyModels.Options);
        using var network = nn.Linear(2, 1);
        using var stopping = new EarlyStopping(network, firstEpoch: 1, minEpochs: 1, patience: 1);
        using (no_grad())
        {
            network.weight!.fill_(3);
        }

        Assert.False(stopping.Observe(1, double.NaN));
        Assert.False(stopping.Observe(2, double.NaN));
        stopping.RestoreBest();

        Assert.Equal(2, stopping.BestEpoch);
        Assert.Equal([3f, 3f], network.weight!.data<float>().ToArray());
    }
}
