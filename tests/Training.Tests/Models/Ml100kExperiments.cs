using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Recommender.Model.Evaluation;
using Recommender.Training.Trainers;
using Xunit.Abstractions;

namespace Recommender.Training.Tests.Models;

/// <summary>
/// EXPERIMENT HARNESS (not a unit test): trains models on ml-100k and prints test metrics. Runs only when
/// RECOMMENDER_EXPERIMENTS=1 and ml-100k is available. Configure with EXPERIMENT_MODELS (comma list, default all),
/// EXPERIMENT_PROTOCOLS (stratified, leave-one-out; default both), EXPERIMENT_OPTIONS (JSON of TrainingOptions
/// overrides), EXPERIMENT_DATA (another release, split with the product's protocols, seed 42) and EXPERIMENT_LOG (a file
/// that receives every epoch as it finishes). Run in Release:
/// RECOMMENDER_EXPERIMENTS=1 dotnet test tests/Training.Tests -c Release --filter Ml100kExperiments --logger "console;verbosity=detailed"
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class Ml100kExperiments(ITestOutputHelper output)
{
    [ExperimentFact]
    public void Train_and_evaluate()
    {
        var models = (Environment.GetEnvironmentVariable("EXPERIMENT_MODELS") ?? "bpr,lightgcn,lstm,gcn-lstm").Split(',', StringSplitOptions.TrimEntries);
        var protocols = (Environment.GetEnvironmentVariable("EXPERIMENT_PROTOCOLS") ?? "stratified,leave-one-out").Split(',', StringSplitOptions.TrimEntries);
        var json = Environment.GetEnvironmentVariable("EXPERIMENT_OPTIONS");
        var serializer = new JsonSerializerOptions { Converters = { new JsonStringEnumConverter() } };
        var options = string.IsNullOrWhiteSpace(json) ? new TrainingOptions() : JsonSerializer.Deserialize<TrainingOptions>(json, serializer)!;
        var logPath = Environment.GetEnvironmentVariable("EXPERIMENT_LOG");
        void Log(string line)
        {
            output.WriteLine(line);
            if (logPath is not null)
            {
                File.AppendAllText(logPath, line + Environment.NewLine);
            }
        }

        var dataPath = Environment.GetEnvironmentVariable("EXPERIMENT_DATA");
        var dataset = dataPath is null ? TestData.Ml100k() : Recommender.Model.Data.MovieLensReader.Load(dataPath);
        Log($"{dataset.Name}, options {JsonSerializer.Serialize(options, serializer)}");
        foreach (var protocol in protocols)
        {
            var split = dataPath is not null ? SplitProtocols.Create(protocol).Split(dataset, 42)
                : protocol == "stratified" ? TestData.Stratified(dataset) : TestData.LeaveOneOut(dataset);
            Log($"{protocol}: train {split.Train.Count}, validation {split.Validation.Count}, test {split.Test.Count}");
            foreach (var model in models)
            {
                var progress = new SynchronousProgress<EpochReport>(e => Log(string.Create(CultureInfo.InvariantCulture,
                    $"  {model} epoch {e.Epoch}: loss {e.Loss:F4} (rank {e.RankingLoss:F4}, rating {e.RatingLoss:F4}) val-ndcg@10 {e.ValidationNdcg:F4} {e.Seconds:F1}s {e.Stage}")));
                using var trained = ModelTrainer.Train(model, split, options, progress);
                var result = RankingProbe.Evaluate(trained.Scorer, ItemSets.Build(split.Train, split.Validation), ItemSets.Build(split.Test), split.K);
                Log(string.Create(CultureInfo.InvariantCulture,
                    $"RESULT {protocol} {model}: ndcg@10 {result.Ndcg:F4} map@10 {result.Map:F4} hr@10 {result.HitRate:F4} recall@10 {result.Recall:F4} precision@10 {result.Precision:F4} users {result.Users}" +
                    $" rmse {trained.Rating?.Rmse:F4} mae {trained.Rating?.Mae:F4} best-epoch {trained.BestEpoch} loss {trained.Loss} train {trained.TrainSeconds:F1}s"));
                if (trained.Kind == Recommender.Training.Models.ModelKind.GcnLstm && trained.UserTable is not null)
                {
                    using var graphOnly = new TableScorer(trained.UserTable, trained.ItemTable);
                    var part = RankingProbe.Evaluate(graphOnly, ItemSets.Build(split.Train, split.Validation), ItemSets.Build(split.Test), split.K);
                    Log(string.Create(CultureInfo.InvariantCulture, $"  graph part alone (u = g): ndcg@10 {part.Ndcg:F4} map@10 {part.Map:F4} hr@10 {part.HitRate:F4}"));
                }
            }
        }
    }
}

/// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>A fact that runs only when RECOMMENDER_EXPERIMENTS=1 and ml-100k is available.</summary>
public sealed class ExperimentFactAttribute : FactAttribute
{
    public ExperimentFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("RECOMMENDER_EXPERIMENTS") != "1")
        {
            Skip = "Experiment harness: set RECOMMENDER_EXPERIMENTS=1 to run.";
        }
        else if (TestData.MovieLensFolder("ml-100k") is null)
        {
            Skip = "ml-100k is not available.";
        }
    }
}
