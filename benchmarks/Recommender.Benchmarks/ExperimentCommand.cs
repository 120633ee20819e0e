using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Recommender.Model.Data;
using Recommender.Model.Evaluation;
using Recommender.Training.Trainers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Recommender.Benchmarks;

/// <summary>
/// experiment: trains each model under each protocol with <see cref="TrainingOptions"/> overridden by --options (for
/// example <c>{"GateBiasInit":0,"Dim":64}</c>; sasrec's own <see cref="SasRecOptions"/> by --sasrec-options), prints
/// every epoch and one RESULT line of test metrics per model, and appends them to --log as they come.
/// --plant-successors P plants a sequence pattern with a known answer: every movie gets a fixed random successor, and
/// at each step of each user's history after the first, with probability P, the movie is replaced by the successor of
/// the one before (unless the user has it already). For trying training options before they become defaults; the
/// product's report is the training CLI's <c>train</c>.
/// </summary>
[Description("Trains models with overridden training options and prints their test metrics.")]
internal sealed class ExperimentCommand : Command<ExperimentCommand.Settings>
{
    private static readonly JsonSerializerOptions OptionsJson = new() { Converters = { new JsonStringEnumConverter() } };

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--data <PATH>", true)]
        [Description("MovieLens release to train on.")]
        public required string Data { get; init; }

        [CommandOption("--models <LIST>")]
        [Description("Comma-separated: bpr, lightgcn, lstm, gcn-lstm, sasrec, popularity, markov.")]
        [DefaultValue("bpr,lightgcn,lstm,gcn-lstm")]
        public string Models { get; init; } = "bpr,lightgcn,lstm,gcn-lstm";

        [CommandOption("--protocols <LIST>")]
        [Description("Comma-separated split protocols.")]
        [DefaultValue($"{SplitProtocols.Stratified},{SplitProtocols.LeaveOneOut}")]
        public string Protocols { get; init; } = $"{SplitProtocols.Stratified},{SplitProtocols.LeaveOneOut}";

        [CommandOption("--options <JSON>")]
        [Description("TrainingOptions overrides as a JSON object.")]
        public string? Options { get; init; }

        [CommandOption("--sasrec-options <JSON>")]
        [Description("SasRecOptions overrides as a JSON object.")]
        public string? SasRecOptions { get; init; }

        [CommandOption("--seed <S>")]
        [Description("Seed of the splits and of training.")]
        [DefaultValue(42)]
        public int Seed { get; init; } = 42;

        [CommandOption("-k|--top-k <K>")]
        [Description("Length of the ranked lists the metrics are computed on.")]
        [DefaultValue(10)]
        public int K { get; init; } = 10;

        [CommandOption("--log <FILE>")]
        [Description("File the epoch and RESULT lines are appended to.")]
        public string? Log { get; init; }

        [CommandOption("--plant-successors <P>")]
        [Description("Probability of planting each movie's successor (see the command's documentation).")]
        public double? PlantSuccessors { get; init; }

        public TrainingOptions TrainingOptions => ReadJson<TrainingOptions>(Options, "--options") with { Seed = Seed };

        public SasRecOptions SasRec => ReadJson<SasRecOptions>(SasRecOptions, "--sasrec-options");

        public override ValidationResult Validate()
        {
            if (K < 1)
            {
                return ValidationResult.Error($"Option '-k' must be at least 1, got {K}.");
            }
            if (PlantSuccessors <= 0)
            {
                return ValidationResult.Error($"Option '--plant-successors' must be positive, got {PlantSuccessors}.");
            }
            try
            {
                TrainingOptions.Validate();
                SasRec.Validate();
            }
            catch (ArgumentException error)
            {
                return ValidationResult.Error(error.Message);
            }
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (data, seed, k, logPath) = (settings.Data, settings.Seed, settings.K, settings.Log);
        var (models, protocols) = (List(settings.Models), List(settings.Protocols));
        var (options, sasRecOptions) = (settings.TrainingOptions, settings.SasRec);
        var plantSuccessors = settings.PlantSuccessors ?? 0;

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

    private static T ReadJson<T>(string? json, string option) where T : new()
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return new T();
        }
        try
        {
            return JsonSerializer.Deserialize<T>(json, OptionsJson) ?? throw new ArgumentException($"{option} is null.");
        }
        catch (JsonException error)
        {
            throw new ArgumentException($"{option} is not a {typeof(T).Name} JSON object: {error.Message}", error);
        }
    }
}
