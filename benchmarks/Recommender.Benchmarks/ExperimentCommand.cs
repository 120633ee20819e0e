using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Recommender.Model.Data;
using Recommender.Model.Evaluation;
using Recommender.Training.Trainers;

namespace Recommender.Benchmarks;

/// <summary>
/// experiment --data PATH [--models LIST] [--protocols LIST] [--options JSON] [--seed S] [--k K] [--log FILE]:
/// trains each model under each protocol with <see cref="TrainingOptions"/> overridden by --options (for example
/// <c>{"GateBiasInit":0,"Dim":64}</c>), prints every epoch and one RESULT line of test metrics per model, and appends
/// them to --log as they come. For trying training options before they become defaults; the product's report is
/// the training CLI's <c>train</c>.
/// </summary>
internal static class ExperimentCommand
{
    private const string Usage =
        "Usage: experiment --data PATH [--models bpr,lightgcn,lstm,gcn-lstm,popularity] [--protocols stratified,leave-one-out] [--options JSON] [--seed 42] [--k 10] [--log FILE]";

    private static readonly JsonSerializerOptions OptionsJson = new() { Converters = { new JsonStringEnumConverter() } };

    public static int Run(string[] args)
    {
        string data;
        string[] models, protocols;
        TrainingOptions options;
        int seed, k;
        string? logPath;
        try
        {
            var arguments = BenchmarkArguments.Parse(args, ["data", "models", "protocols", "options", "seed", "k", "log"]);
            data = arguments.Required("data");
            models = List(arguments.Optional("models") ?? "bpr,lightgcn,lstm,gcn-lstm");
            protocols = List(arguments.Optional("protocols") ?? $"{SplitProtocols.Stratified},{SplitProtocols.LeaveOneOut}");
            seed = arguments.Int32("seed", 42);
            k = arguments.Int32("k", 10, minimum: 1);
            logPath = arguments.Optional("log");
            options = ReadOptions(arguments.Optional("options")) with { Seed = seed };
            options.Validate();
        }
        catch (ArgumentException error)
        {
            Console.Error.WriteLine(error.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        void Log(string line)
        {
            Console.WriteLine(line);
            if (logPath is not null)
            {
                File.AppendAllText(logPath, line + Environment.NewLine);
            }
        }

        var dataset = MovieLensReader.Load(data);
        Log($"{dataset.Name}, seed {seed}, options {JsonSerializer.Serialize(options, OptionsJson)}");
        var evaluator = new RankingEvaluator();
        foreach (var protocol in protocols)
        {
            var split = SplitProtocols.Create(protocol).Split(dataset, seed);
            Log($"{protocol}: train {split.Train.Count}, validation {split.Validation.Count}, test {split.Test.Count}");
            foreach (var model in models)
            {
                IItemScorer scorer;
                TrainedModel? trained = null;
                if (model == "popularity")
                {
                    scorer = PopularityRecommender.Fit(split);
                }
                else
                {
                    trained = ModelTrainer.Train(model, split, options, new EpochLog(epoch => Log(string.Create(CultureInfo.InvariantCulture,
                        $"  {model} epoch {epoch.Epoch}: loss {epoch.Loss:F4} (rank {epoch.RankingLoss:F4}, rating {epoch.RatingLoss:F4}) val-ndcg@10 {epoch.ValidationNdcg:F4} {epoch.Seconds:F1}s {epoch.Stage}"))));
                    scorer = trained.Scorer;
                }
                using (trained)
                {
                    var metrics = evaluator.Evaluate(split, EvaluationTarget.Test, scorer, k).Metrics;
                    var training = trained is null ? ""
                        : string.Create(CultureInfo.InvariantCulture, $" rmse {trained.Rating?.Rmse:F4} best-epoch {trained.BestEpoch} loss {trained.Loss} train {trained.TrainSeconds:F1}s");
                    Log(string.Create(CultureInfo.InvariantCulture,
                        $"RESULT {protocol} {model}: ndcg@{k} {metrics.Ndcg:F4} map {metrics.Map:F4} hr@{k} {metrics.HitRate:F4} recall@{k} {metrics.Recall:F4} precision@{k} {metrics.Precision:F4}{training}"));
                }
            }
        }
        return 0;
    }

    private static string[] List(string text) => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static TrainingOptions ReadOptions(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return new TrainingOptions();
        }
        try
        {
            return JsonSerializer.Deserialize<TrainingOptions>(json, OptionsJson) ?? throw new ArgumentException("--options is null.");
        }
        catch (JsonException error)
        {
            throw new ArgumentException($"--options is not a TrainingOptions JSON object: {error.Message}", error);
        }
    }

    /// <summary>Reports on the training thread (Progress&lt;T&gt; would post to the thread pool and reorder the lines).</summary>
    private sealed class EpochLog(Action<EpochReport> report) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => report(value);
    }
}
