using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Recommender.Model.Evaluation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Recommender.Training.Cli;

/// <summary>
/// <c>evaluate</c>: load, split with a protocol, train each listed model, rank Test and write
/// <c>metrics.json</c>, <c>test.csv</c> and the recommendations (the first model's in <c>recommendations.csv</c>,
/// the others' in <c>recommendations-&lt;model&gt;.csv</c>).
/// </summary>
internal sealed class EvaluateCommand(IDatasetLoader datasets, IReadOnlyList<EvaluationModel> models, CliConsoles consoles)
    : Command<EvaluateCommand.Settings>
{
    public const string MetricsFileName = "metrics.json";
    public const string TestFileName = "test.csv";

    public sealed class Settings : SplitSettings
    {
        [CommandOption("--protocol <NAME>", true)]
        [Description($"Split protocol: {ProtocolNames}.")]
        public override required string Protocol { get; init; }

        [CommandOption("--models <LIST>", true)]
        [Description("Comma-separated models to train (listed above).")]
        public override required string Models { get; init; }

        [CommandOption("--out <DIR>", true)]
        [Description("Folder for metrics.json, test.csv and recommendations*.csv (created if missing).")]
        public required string Out { get; init; }
    }

    public static string DescriptionWith(IEnumerable<EvaluationModel> models) =>
        "Split a data set, train models and rank its held-out interactions; writes metrics and recommendations. " +
        $"Models: {string.Join(", ", models.Select(model => model.Name))}.";

    /// <summary>The recommendations file of the model at <paramref name="position"/> in the --models list.</summary>
    public static string RecommendationsFileName(int position, string model) =>
        position == 0 ? "recommendations.csv" : $"recommendations-{model}.csv";

    public override ValidationResult Validate(CommandContext context, Settings settings) =>
        settings.ValidateModelNames([.. models.Select(model => model.Name)]);

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var selectedModels = settings.ModelNames.Select(name => models.First(model => model.Name == name)).ToList();
        var k = settings.K;
        var outputFolder = settings.Out;
        var console = consoles.Output;

        var split = CommandSteps.LoadAndSplit(datasets, settings.Data, settings.Split, console);
        var dataset = split.Dataset;

        Directory.CreateDirectory(outputFolder);
        var report = MetricsReport.For(split);
        var evaluator = new RankingEvaluator();
        var evaluationSeconds = new List<double>();
        for (var position = 0; position < selectedModels.Count; position++)
        {
            var model = selectedModels[position];
            var stopwatch = Stopwatch.StartNew();
            var scorer = SessionScorer.ForSplit(split, CommandSteps.Timed(console, $"Trained {model.Name}", () => model.Train(split)), model.Name);
            var trainSeconds = stopwatch.Elapsed.TotalSeconds;
            stopwatch.Restart();
            var result = CommandSteps.Timed(console, $"Ranked test users for {model.Name}", () => evaluator.Evaluate(split, EvaluationTarget.Test, scorer, k));
            evaluationSeconds.Add(stopwatch.Elapsed.TotalSeconds);
            report.AddModel(model.Name, result.Metrics, trainSeconds);
            EvaluationCsv.WriteRecommendations(
                Path.Combine(outputFolder, RecommendationsFileName(position, model.Name)), result.Recommendations, dataset);
        }
        EvaluationCsv.WriteInteractions(Path.Combine(outputFolder, TestFileName), split.Test, dataset);
        report.Write(Path.Combine(outputFolder, MetricsFileName));

        console.Write(MetricsTable(report, k, evaluationSeconds));
        console.WriteLine($"Wrote {MetricsFileName}, {TestFileName} and recommendations to {Path.GetFullPath(outputFolder)}");
        return ExitCodes.Success;
    }

    /// <summary>One row per metric and one column per model, so that several models still fit 80 columns.</summary>
    private static Table MetricsTable(MetricsReport report, int k, IReadOnlyList<double> evaluationSeconds)
    {
        string[] metricNames =
        [
            MetricNames.Precision(k), MetricNames.Recall(k), MetricNames.Ndcg(k), MetricNames.Map,
            MetricNames.HitRate(k), MetricNames.Mrr(k), MetricNames.Coverage(k), MetricNames.TrainSeconds,
        ];
        var table = new Table().AddColumn("metric");
        foreach (var model in report.Models.Keys)
        {
            table.AddColumn(new TableColumn(Markup.Escape(model)).RightAligned());
        }
        foreach (var name in metricNames)
        {
            table.AddRow([new Text(name), .. report.Models.Values.Select(values => new Text(Format(values[name])))]);
        }
        table.AddRow([new Text("eval_seconds"), .. evaluationSeconds.Select(seconds => new Text(Format(seconds)))]);
        return table;
    }

    private static string Format(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
