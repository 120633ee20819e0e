using System.Text.Json;
using Recommender.Training.Trainers;

namespace Recommender.Training.Tests.Models;

[Collection(TorchCollection.Name)]
public sealed class CheckpointTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "recommender-checkpoint-tests", Guid.NewGuid().ToString("N"));

    private static readonly Recommender.Model.Evaluation.DataSplit Split =
        SyntheticData.LeaveOneOut(SyntheticData.Random(users: 40, movies: 25, perUser: 10, seed: 2));

    private static readonly TrainingOptions Options = TinyModels.Options with { MaxEpochs = 3, GraphWarmupEpochs = 2 };

    private TrainingCheckpoint Checkpoint(string model, TrainingOptions options, string fingerprint = "data-1") =>
        new(_folder, CheckpointIdentity.For(model, fingerprint, "{\"protocol\":\"leave-one-out\"}", options));

    [Theory]
    [InlineData("gcn-lstm")]
    [InlineData("bpr")]
    public void A_finished_checkpoint_gives_back_the_trained_model_without_training_again(string model)
    {
        using var trained = ModelTrainer.Train(model, Split, Options, checkpoint: Checkpoint(model, Options));
        var resumedEpochs = new List<int>();
        var epochsRun = 0;

        using var again = ModelTrainer.Train(model, Split, Options, new Progress(() => epochsRun++),
            checkpoint: Checkpoint(model, Options), resumedFrom: resumedEpochs.Add);

        Assert.Equal([trained.History.Count], resumedEpochs);
        Assert.Equal(0, epochsRun);
        Assert.Equal(trained.BestEpoch, again.BestEpoch);
        Assert.Equal(trained.History, again.History);
        Assert.Equal(trained.UserVectors.data<float>().ToArray(), again.UserVectors.data<float>().ToArray());
    }

    [Fact]
    public void A_checkpoint_of_other_options_or_other_data_is_refused_and_says_which()
    {
        using (ModelTrainer.Train("lightgcn", Split, Options, checkpoint: Checkpoint("lightgcn", Options)))
        {
        }

        var otherOptions = Assert.Throws<CheckpointMismatchException>(() =>
            ModelTrainer.Train("lightgcn", Split, Options with { Dim = 12 }, checkpoint: Checkpoint("lightgcn", Options with { Dim = 12 })));
        var otherData = Assert.Throws<CheckpointMismatchException>(() =>
            ModelTrainer.Train("lightgcn", Split, Options, checkpoint: Checkpoint("lightgcn", Options, fingerprint: "data-2")));

        Assert.Contains("training options were", otherOptions.Message, StringComparison.Ordinal);
        Assert.Contains("\"Dim\":12", otherOptions.Message, StringComparison.Ordinal);
        Assert.Contains("fingerprint data-1, this run's data has data-2", otherData.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_folder, "lightgcn"), otherData.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_newest_epoch_is_kept_and_a_half_written_one_is_ignored()
    {
        var checkpoint = Checkpoint("lightgcn", Options);
        using (ModelTrainer.Train("lightgcn", Split, Options, checkpoint: checkpoint))
        {
        }
        var newest = checkpoint.LatestEpochFolder()!;
        Directory.CreateDirectory(Path.Combine(checkpoint.Folder, "epoch-9999.partial"));

        Assert.Equal(newest, Assert.Single(Directory.GetDirectories(checkpoint.Folder), path => !path.EndsWith(".partial", StringComparison.Ordinal)));
        Assert.Equal(newest, checkpoint.LatestEpochFolder());
        var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(newest, "state.json")));
        Assert.True(state.RootElement.GetProperty("stageEnded").GetBoolean());
    }

    private sealed class Progress(Action report) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => report();
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
