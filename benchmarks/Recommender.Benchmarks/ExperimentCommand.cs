using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Recommender.Model.Data;
using Recommender.Model.Evaluation;
using Recommender.Training.Trainers;

namespace Recommender.Benchmarks;

/// <summary>
/// experiment --data PATH [--models LIST] [--protocols LIST] [--options JSON] [--sasrec-options JSON] [--seed S] [--k K]
/// [--log FILE] [--plant-successors P]:
/// trains each model under each protocol with <see cref="TrainingOptions"/> overridden by --options (for example
/// <c>{"GateBiasInit":0,"Dim":64}</c>; sasrec's own <see cref="SasRecOptions"/> by --sasrec-options), prints every epoch and one RESULT line of test metrics per model, and appends
/// them to --log as they come. --plant-successors P plants a sequence pattern with a known answer: every movie gets a
/// fixed random successor, and at each step of each user's history after the first, with probability P, the movie
/// is replaced by the successor of the one before (unless the user has it already). For trying training options before they become defaults; the product's report is
/// the training CLI's <c>train</c>.
/// </summary>
internal static class ExperimentCommand
{
    private const string Usage =
        "Usage: experiment --data PATH [--models bpr,lightgcn,lstm,gcn-lstm,sasrec,popularity,markov] [--protocols stratified,leave-one-out] [--options JSON] [--sasrec-options JSON] [--seed 42] [--k 10] [--log FILE] [--plant-successors P]";

    private static readonly JsonSerializerOptions OptionsJson = new() { Converters = { new JsonStringEnumConverter() } };

    public static int Run(string[] args)
    {
        string data;
        string[] models, protocols;
        TrainingOptions options;
        SasRecOptions sasRecOptions;
        int seed, k;
        string? logPath;
        double plantSuccessors;
        try
        {
            var arguments = BenchmarkArguments.Parse(args, ["data", "models", "protocols", "options", "sasrec-options", "seed", "k", "log", "plant-successors"]);
            data = arguments.Required("data");
            models = List(arguments.Optional("models") ?? "bpr,lightgcn,lstm,gcn-lstm");
            protocols = List(arguments.Optional("protocols") ?? $"{SplitProtocols.Stratified},{SplitProtocols.LeaveOneOut}");
            seed = arguments.Int32("seed", 42);
            k = arguments.Int32("k", 10, minimum: 1);
            logPath = arguments.Optional("log");
            plantSuccessors = arguments.PositiveDouble("plant-successors", fallback: 0);
            options = ReadJson<TrainingOptions>(arguments.Optional("options"), "options") with { Seed = seed };
            options.Validate();
            sasRecOptions = ReadJson<SasRecOptions>(arguments.Optional("sasrec-options"), "sasrec-options");
            sasRecOptions.Validate();
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
        if (plantSuccessors > 0)
        {
            dataset = PlantSuccessors(dataset, plantSuccessors, seed);
        }
        Log($"{dataset.Name}, seed {seed}, options {JsonSerializer.Serialize(options, OptionsJson)}");
        if (models.Contains("sasrec"))
        {
            Log($"sasrec options {JsonSerializer.Serialize(sasRecOptions, OptionsJson)}");
        }
        var evaluator = new RankingEvaluator();
        foreach (var protocol in protocols)
        {
            var split = SplitProtocols.Create(protocol).Split(dataset, seed);
            Log($"{protocol}: train {split.Train.Count}, validation {split.Validation.Count}, test {split.Test.Count}");
            foreach (var model in models)
            {
                IItemScorer scorer;
                IDisposable? owned = null;
                var training = "";
                var progress = new SynchronousProgress<EpochReport>(epoch => Log(string.Create(CultureInfo.InvariantCulture,
                    $"  {model} epoch {epoch.Epoch}: loss {epoch.Loss:F4} (rank {epoch.RankingLoss:F4}, rating {epoch.RatingLoss:F4}) val-ndcg@10 {epoch.ValidationNdcg:F4} {epoch.Seconds:F1}s {epoch.Stage}")));
                if (model is "popularity" or "markov")
                {
                    scorer = model == "markov" ? MarkovRecommender.Fit(split) : PopularityRecommender.Fit(split);
                }
                else if (model == "sasrec")
                {
                    var sasRec = SasRecTrainer.Train(split, options, sasRecOptions, progress);
                    (scorer, owned) = (sasRec, sasRec);
                    training = string.Create(CultureInfo.InvariantCulture, $" best-epoch {sasRec.BestEpoch} train {sasRec.TrainSeconds:F1}s");
                }
                else
                {
                    var trained = ModelTrainer.Train(model, split, options, progress);
                    (scorer, owned) = (trained.Scorer, trained);
                    training = string.Create(CultureInfo.InvariantCulture, $" rmse {trained.Rating?.Rmse:F4} best-epoch {trained.BestEpoch} loss {trained.Loss} train {trained.TrainSeconds:F1}s");
                }
                using (owned)
                {
                    // Sessions are scored through the torch model (the served path's twin; InferenceContractTests).
                    var evaluated = split.Sessions is null ? scorer
                        : owned is TrainedModel trained ? SessionScorer.Create(split, trained.HistoryScorer())
                        : SessionScorer.ForSplit(split, scorer, model);
                    var metrics = evaluator.Evaluate(split, EvaluationTarget.Test, evaluated, k).Metrics;
                    Log(string.Create(CultureInfo.InvariantCulture,
                        $"RESULT {protocol} {model}: ndcg@{k} {metrics.Ndcg:F4} map {metrics.Map:F4} hr@{k} {metrics.HitRate:F4} recall@{k} {metrics.Recall:F4} precision@{k} {metrics.Precision:F4}{training}"));
                }
            }
        }
        return 0;
    }

    private static MovieLensDataset PlantSuccessors(MovieLensDataset dataset, double probability, int seed)
    {
        var random = new Random(seed);
        var table = dataset.Interactions;
        var successor = Enumerable.Range(0, table.ItemCount).ToArray();
        random.Shuffle(successor);
        var items = table.Items.ToArray();
        var planted = 0;
        foreach (var rows in Enumerable.Range(0, table.Count).GroupBy(row => table.Users[row]))
        {
            var ordered = rows.OrderBy(row => table.Timestamps[row]).ThenBy(row => row).ToArray();
            var owned = ordered.Select(row => items[row]).ToHashSet();
            for (var step = 1; step < ordered.Length; step++)
            {
                var next = successor[items[ordered[step - 1]]];
                if (random.NextDouble() < probability && owned.Add(next))
                {
                    owned.Remove(items[ordered[step]]);
                    items[ordered[step]] = next;
                    planted++;
                }
            }
        }
        Console.WriteLine($"Planted {planted:N0} successors ({planted / (double)table.Count:P1} of the interactions).");
        return new MovieLensDataset
        {
            Name = dataset.Name + "-planted",
            Format = dataset.Format,
            Scale = dataset.Scale,
            Interactions = new InteractionTable(table.Users.ToArray(), items, table.Ratings.ToArray(), table.Timestamps.ToArray(), table.UserCount, table.ItemCount),
            Users = dataset.Users,
            Items = dataset.Items,
            Movies = dataset.Movies,
            UserProfiles = dataset.UserProfiles,
            Tags = dataset.Tags,
            Fingerprint = dataset.Fingerprint + "-planted",
            Report = dataset.Report,
        };
    }

    private static string[] List(string text) => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static T ReadJson<T>(string? json, string argument) where T : new()
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return new T();
        }
        try
        {
            return JsonSerializer.Deserialize<T>(json, OptionsJson) ?? throw new ArgumentException($"--{argument} is null.");
        }
        catch (JsonException error)
        {
            throw new ArgumentException($"--{argument} is not a {typeof(T).Name} JSON object: {error.Message}", error);
        }
    }
}
