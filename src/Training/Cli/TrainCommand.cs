using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Recommender.Model.Bundle;
using Recommender.Model.Engine;
using Recommender.Model.Evaluation;
using Recommender.Training.Export;
using Recommender.Training.Trainers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Recommender.Training.Cli;

/// <summary>
/// <c>train</c>: split a data set, train the product model (gcn-lstm) and its baselines with the same harness,
/// rank Test with each, and write metrics.json, the CSVs, report.md, training-curves.png and the saved model.
/// </summary>
[Description("Train gcn-lstm and the baselines on a split; writes metrics, CSVs, a report, training curves and the model.")]
internal sealed class TrainCommand(IDatasetLoader datasets, CliConsoles consoles) : Command<TrainCommand.Settings>
{
    public const string MainModel = "gcn-lstm";
    public const string ModelFolderName = "model";
    public const string BundleFolderName = "bundle";
    public const string ReportFileName = "report.md";
    public const string CurvesFileName = "training-curves.png";

    private const string SasRecName = "sasrec";

    private const string AllModelNames = $"{MainModel}, popularity, markov, {SasRecName}, bpr, lightgcn, lstm";

    private static readonly string[] AllModels = AllModelNames.Split(", ");

    /// <summary>The models that can score a history they were not trained on (the session protocol's).</summary>
    private static readonly string[] SessionModels = [MainModel, "popularity", "markov", SasRecName, "lstm"];

    public sealed class Settings : SplitSettings
    {
        [CommandOption("--protocol <NAME>")]
        [Description($"Split protocol: {ProtocolNames}.")]
        [DefaultValue(SplitProtocols.Stratified)]
        public override string Protocol { get; init; } = SplitProtocols.Stratified;

        [CommandOption("--models <LIST>")]
        [Description($"Comma-separated models, or all: {AllModelNames}.")]
        [DefaultValue(MainModel)]
        public override string Models { get; init; } = MainModel;

        [CommandOption("--out <DIR>", true)]
        [Description("Folder for the results and the saved model (created if missing).")]
        public required string Out { get; init; }

        [CommandOption("--max-epochs <N>")]
        [Description("Upper bound on training epochs per stage (early stopping usually ends sooner).")]
        public int? MaxEpochs { get; init; }

        [CommandOption("--memory-budget <SIZE>")]
        [Description("Memory training may use, e.g. 12GB; users and windows per step are chosen from the data within it (default: 80% of the machine's or container's memory).")]
        public string? MemoryBudget { get; init; }

        /// <summary>The --memory-budget in bytes, or the default.</summary>
        public long MemoryBudgetBytes => MemoryBudget is { } text && MemorySize.TryParse(text, out var bytes) ? bytes : StepSizing.DefaultBudgetBytes();

        [CommandOption("--checkpoint-dir <DIR>")]
        [Description("Save each model's training after every epoch in this folder, and resume from it when the same data, split and options were being trained.")]
        public string? CheckpointDir { get; init; }

        [CommandOption("--device <NAME>")]
        [Description("auto (CUDA when TorchSharp reports it), cpu or cuda.")]
        [DefaultValue("auto")]
        public string Device { get; init; } = "auto";

        public TrainingOptions TrainingOptions
        {
            get
            {
                var options = new TrainingOptions { Seed = Seed, Device = Device };
                return MaxEpochs is { } maxEpochs ? options.WithMaxEpochs(maxEpochs) : options;
            }
        }

        /// <summary>The --models list; for "all", every model the protocol can evaluate.</summary>
        public IReadOnlyList<string> SelectedModels => ModelNames is ["all"] ? ValidModels : ModelNames;

        private string[] ValidModels => Protocol == SplitProtocols.Session ? SessionModels : AllModels;

        public override ValidationResult Validate()
        {
            var split = base.Validate();
            if (!split.Successful)
            {
                return split;
            }
            if (MaxEpochs < 1)
            {
                return ValidationResult.Error($"Option '--max-epochs' must be at least 1, got {MaxEpochs}.");
            }
            if (MemorySize.Check("--memory-budget", MemoryBudget) is { } budgetError)
            {
                return ValidationResult.Error(budgetError);
            }
            try
            {
                TrainingOptions.Validate();
            }
            catch (ArgumentException exception)
            {
                return ValidationResult.Error(exception.Message);
            }
            if (ModelNames is ["all"])
            {
                return ValidationResult.Success();
            }
            if (ModelNames.FirstOrDefault(name => AllModels.Contains(name) && !ValidModels.Contains(name)) is { } unsupported)
            {
                return ValidationResult.Error(
                    $"Model '{unsupported}' cannot score users it was not trained on, so it has no result under --protocol {SplitProtocols.Session}. Models for sessions: {string.Join(", ", ValidModels)}.");
            }
            return ValidateModelNames(ValidModels);
        }
    }

    /// <summary>The recommendations file of a model: the product model's is recommendations.csv.</summary>
    public static string RecommendationsFileName(string model, bool isMain) =>
        isMain ? "recommendations.csv" : $"recommendations-{model}.csv";

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var models = settings.SelectedModels;
        var k = settings.K;
        var options = settings.TrainingOptions;
        var outputFolder = settings.Out;
        var console = consoles.Output;

        var split = CommandSteps.LoadAndSplit(datasets, settings.Data, settings.Split, console);
        var dataset = split.Dataset;
        StepSizing sizing;
        try
        {
            sizing = StepSizing.For(split, options, settings.MemoryBudgetBytes);
        }
        catch (InvalidOperationException exception)
        {
            throw new CommandFailedException(exception.Message, exception);
        }
        options = sizing.ApplyTo(options);
        console.WriteLine($"Step sizes: {sizing}");
        Directory.CreateDirectory(outputFolder);

        var report = MetricsReport.For(split);
        var evaluator = new RankingEvaluator();
        var curves = new Dictionary<string, IReadOnlyList<EpochReport>>(StringComparer.Ordinal);
        var mainModel = models.Contains(MainModel) ? MainModel : models[0];
        foreach (var model in models)
        {
            var stopwatch = Stopwatch.StartNew();
            IItemScorer scorer;
            TrainedModel? trained = null;
            SasRecModel? sasRec = null;
            if (EvaluationModels.Find(model) is { } untrained)
            {
                scorer = untrained.Train(split);
            }
            else if (model == SasRecName)
            {
                sasRec = TrainWithProgress(model, options.MaxEpochs, progress => SasRecTrainer.Train(split, options, progress), console);
                scorer = sasRec;
                curves[model] = sasRec.History;
            }
            else
            {
                var stages = options.EpochCap(model);
                var checkpoint = settings.CheckpointDir is { } checkpointDir
                    ? new TrainingCheckpoint(checkpointDir, CheckpointIdentity.For(model, dataset.Fingerprint, JsonSerializer.Serialize(settings.Split), options))
                    : null;
                try
                {
                    trained = TrainWithProgress(model, stages, progress => ModelTrainer.Train(
                        model, split, options, progress, cancellationToken, checkpoint,
                        resumedFrom: epoch => console.WriteLine($"{model}: resuming after epoch {epoch}, from the checkpoint in {checkpoint!.Folder}")), console);
                }
                catch (CheckpointMismatchException exception)
                {
                    throw new CommandFailedException(exception.Message, exception);
                }
                scorer = trained.Scorer;
                curves[model] = trained.History;
            }
            var trainSeconds = stopwatch.Elapsed.TotalSeconds;
            RecommendationEngine? engine = null;
            if (split.Sessions is not null)
            {
                (scorer, engine) = SessionScorerOf(model, scorer, trained, split, outputFolder, k, console);
            }
            var result = evaluator.Evaluate(split, EvaluationTarget.Test, scorer, k);
            engine?.Dispose();
            var values = report.AddModel(model, result.Metrics, trainSeconds);
            if (trained?.Rating is { } rating)
            {
                values["rmse"] = rating.Rmse;
                values["mae"] = rating.Mae;
            }
            EvaluationCsv.WriteRecommendations(
                Path.Combine(outputFolder, RecommendationsFileName(model, model == mainModel)), result.Recommendations, dataset);
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{model}: ndcg@{k} {values[MetricNames.Ndcg(k)]:F4}, map {values[MetricNames.Map]:F4}, hr@{k} {values[MetricNames.HitRate(k)]:F4}, trained in {trainSeconds:F1} s"));
            if (trained is not null)
            {
                if (model == mainModel)
                {
                    trained.Save(Path.Combine(outputFolder, ModelFolderName));
                    RunRecordFor(settings, model, split, values).Write(outputFolder);
                    if (model == MainModel)
                    {
                        var bundleFolder = Path.Combine(outputFolder, BundleFolderName);
                        if (split.Sessions is null)
                        {
                            WriteBundle(trained, split, values, bundleFolder, console);
                        }
                        else
                        {
                            // The session protocol scored through this bundle already: only its metrics are new.
                            BundleWriter.ReplaceMetrics(bundleFolder, values);
                        }
                    }
                }
                trained.Dispose();
            }
            sasRec?.Dispose();
        }

        EvaluationCsv.WriteInteractions(Path.Combine(outputFolder, EvaluateCommand.TestFileName), split.Test, dataset);
        var peakWorkingSetMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        report.AdditionalFields["peak_working_set_mb"] = System.Text.Json.JsonSerializer.SerializeToElement(Math.Round(peakWorkingSetMb, 1));
        report.Write(Path.Combine(outputFolder, EvaluateCommand.MetricsFileName));
        if (curves.Count > 0)
        {
            TrainingCurves.Write(Path.Combine(outputFolder, CurvesFileName), curves);
        }
        File.WriteAllText(Path.Combine(outputFolder, ReportFileName), MarkdownReport(report, split, k, curves.Count > 0, peakWorkingSetMb));

        console.Write(ResultsTable(report, k));
        console.WriteLine($"Peak working set {peakWorkingSetMb:F0} MB. Wrote results to {Path.GetFullPath(outputFolder)}");
        return ExitCodes.Success;
    }

    /// <summary>What <c>export</c> needs to rebuild this run's split, and the run's metrics.</summary>
    private static TrainingRunRecord RunRecordFor(Settings settings, string model, DataSplit split, IReadOnlyDictionary<string, double> metrics) => new()
    {
        Model = model,
        Data = Path.GetFullPath(settings.Data),
        DatasetFingerprint = split.Dataset.Fingerprint,
        Split = settings.Split,
        Metrics = new Dictionary<string, double>(metrics, StringComparer.Ordinal),
    };

    /// <summary>The serving bundle of the product model: ONNX graph, tables, catalogue, histories, precomputed lists.</summary>
    internal static void WriteBundle(TrainedModel trained, DataSplit split, IReadOnlyDictionary<string, double> metrics, string bundleFolder, IAnsiConsole console)
    {
        if (Directory.Exists(bundleFolder))
        {
            Directory.Delete(bundleFolder, recursive: true);
        }
        var manifest = ModelBundleExporter.Export(trained, split, bundleFolder, metrics);
        console.WriteLine($"Wrote model bundle {manifest.ModelVersion} to {bundleFolder}");
    }

    /// <summary>
    /// Under the session protocol, the scorer that ranks each held-out user from their session: gcn-lstm through its
    /// exported bundle and <see cref="RecommendationEngine.RecommendForHistory"/> (the served path), the other
    /// models through their own <see cref="IHistoryScorer"/>.
    /// </summary>
    private static (IItemScorer Scorer, RecommendationEngine? Engine) SessionScorerOf(
        string model, IItemScorer scorer, TrainedModel? trained, DataSplit split, string outputFolder, int k, IAnsiConsole console)
    {
        if (model == MainModel && trained is not null)
        {
            var bundleFolder = Path.Combine(outputFolder, BundleFolderName);
            WriteBundle(trained, split, new Dictionary<string, double>(), bundleFolder, console);
            var engine = RecommendationEngine.Load(bundleFolder);
            return (SessionScorer.Create(split, new ServedHistoryScorer(engine, split.Dataset.Items, k)), engine);
        }
        return (trained is null ? SessionScorer.ForSplit(split, scorer, model) : SessionScorer.Create(split, trained.HistoryScorer()), null);
    }

    /// <summary>Runs <paramref name="train"/>, showing each epoch: a progress bar on a terminal, a line per epoch otherwise.</summary>
    private static T TrainWithProgress<T>(string model, int maxEpochs, Func<IProgress<EpochReport>, T> train, IAnsiConsole console)
        where T : class
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return train(new SynchronousProgress(epoch => console.WriteLine($"  {model} {Describe(epoch)}")));
        }
        T? trained = null;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(progressContext =>
            {
                var task = progressContext.AddTask(model, maxValue: maxEpochs);
                trained = train(new SynchronousProgress(epoch =>
                {
                    task.Description = $"{model} {Markup.Escape(Describe(epoch))}";
                    task.Value = epoch.Epoch;
                }));
                task.Value = task.MaxValue;
            });
        return trained!;
    }

    private static string Describe(EpochReport epoch) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {epoch.Epoch} ({epoch.Stage}): loss {epoch.Loss:F4}, validation ndcg@10 {epoch.ValidationNdcg:F4}, {epoch.Seconds:F1} s");

    /// <summary>Reports on the training thread (System.Progress would post to the thread pool, out of order).</summary>
    private sealed class SynchronousProgress(Action<EpochReport> report) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => report(value);
    }

    private static string[] ReportedMetrics(int k) =>
    [
        MetricNames.Ndcg(k), MetricNames.Map, MetricNames.Precision(k), MetricNames.Recall(k), MetricNames.HitRate(k),
        MetricNames.Mrr(k), MetricNames.Coverage(k), "rmse", "mae", MetricNames.TrainSeconds,
    ];

    /// <summary>One row per metric and one column per model, so that five models still fit 80 columns.</summary>
    private static Table ResultsTable(MetricsReport report, int k)
    {
        var table = new Table().AddColumn("metric");
        foreach (var model in report.Models.Keys)
        {
            table.AddColumn(new TableColumn(Markup.Escape(model)).RightAligned());
        }
        foreach (var metric in ReportedMetrics(k))
        {
            table.AddRow([new Text(metric), .. report.Models.Values.Select(values => new Text(Cell(values, metric)))]);
        }
        return table;
    }

    private static string Cell(IReadOnlyDictionary<string, double> values, string metric) =>
        values.TryGetValue(metric, out var value) ? value.ToString(metric == MetricNames.TrainSeconds ? "F1" : "F4", CultureInfo.InvariantCulture) : "-";

    private static string MarkdownReport(MetricsReport report, DataSplit split, int k, bool hasCurves, double peakWorkingSetMb)
    {
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.AppendLine(culture, $"# Training report: {report.Dataset.Name}, {split.Protocol}");
        text.AppendLine();
        text.AppendLine(culture, $"- Data set: {report.Dataset.Name} ({report.Dataset.Users:N0} users, {report.Dataset.Items:N0} movies, {report.Dataset.Interactions:N0} interactions), fingerprint `{split.Dataset.Fingerprint}`");
        text.AppendLine(culture, $"- Protocol: {split.Protocol}, seed {split.Seed}, k = {k}; {string.Join(", ", split.Parameters.Select(pair => $"{pair.Key}={pair.Value}"))}");
        text.AppendLine(culture, $"- Split: train {split.Train.Count:N0}, validation {split.Validation.Count:N0}, test {split.Test.Count:N0}");
        text.AppendLine(culture, $"- Peak working set: {peakWorkingSetMb:F0} MB");
        text.AppendLine();
        var metrics = ReportedMetrics(k);
        text.AppendLine("| model | " + string.Join(" | ", metrics) + " |");
        text.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---:|", metrics.Length)));
        foreach (var (model, values) in report.Models.OrderByDescending(pair => pair.Value.GetValueOrDefault(MetricNames.Ndcg(k))))
        {
            text.AppendLine($"| {model} | " + string.Join(" | ", metrics.Select(metric => Cell(values, metric))) + " |");
        }
        var published = PublishedResults.For(report.Dataset.Name, split.Protocol, k);
        foreach (var result in published)
        {
            text.AppendLine($"| *published: {result.Model}* | " + string.Join(" | ", metrics.Select(metric => Cell(result.Metrics, metric) is "-" ? "" : $"*{Cell(result.Metrics, metric)}*")) + " |");
        }
        text.AppendLine();
        text.AppendLine(published.Count > 0
            ? $"Published rows: {string.Join("; ", published.Select(result => result.Source).Distinct())}."
            : "No published result was measured under exactly this protocol; the markov, sasrec and popularity rows are the anchors, trained and ranked by the same harness.");
        text.AppendLine();
        text.AppendLine("Recompute the ranking metrics from the exported CSVs with `python3 tools/recompute_metrics.py <this folder>`.");
        if (hasCurves)
        {
            text.AppendLine();
            text.AppendLine(culture, $"![Training loss and validation ndcg@10 per epoch]({CurvesFileName})");
        }
        return text.ToString();
    }
}
