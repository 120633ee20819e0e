using System.Diagnostics;
using System.Globalization;
using Recommender.Model.Evaluation;
using Spectre.Console;

namespace Recommender.Training.Cli;

/// <summary>
/// <c>evaluate</c>: load, split with a protocol, train each listed model, rank Test and write
/// <c>metrics.json</c>, <c>test.csv</c> and the recommendations (the first model's in <c>recommendations.csv</c>,
/// the others' in <c>recommendations-&lt;model&gt;.csv</c>).
/// </summary>
internal sealed class EvaluateCommand(IDatasetLoader datasets, IReadOnlyList<EvaluationModel> models) : ICommand
{
    public const string MetricsFileName = "metrics.json";
    public const string TestFileName = "test.csv";

    public string Name => "evaluate";

    public string Summary => "Split a data set, train models and rank its held-out interactions; writes metrics and recommendations.";

    public IReadOnlyList<CommandOption> Options { get; } =
    [
        new("data", "MovieLens folder (or ratings file) to load.", "path", Required: true),
        new("protocol", $"Split protocol: {string.Join(", ", SplitProtocols.Names)}.", "name", Required: true),
        new("models", $"Comma-separated models to train: {string.Join(", ", models.Select(model => model.Name))}.", "list", Required: true),
        new("out", "Folder for metrics.json, test.csv and recommendations*.csv (created if missing).", "dir", Required: true),
        .. SplitArguments.CommonOptions,
        .. SplitArguments.ProtocolOptions,
    ];

    /// <summary>The recommendations file of the model at <paramref name="position"/> in the --models list.</summary>
    public static string RecommendationsFileName(int position, string model) =>
        position == 0 ? "recommendations.csv" : $"recommendations-{model}.csv";

    public int Execute(CommandArguments arguments, CommandContext context)
    {
        var protocol = SplitArguments.ReadProtocol(arguments);
        var selectedModels = ReadModels(arguments);
        var seed = arguments.Int32("seed");
        var k = arguments.Int32("k", minimum: 1);
        var outputFolder = arguments.RequiredValue("out");
        var console = context.Output;

        var split = SplitArguments.LoadAndSplit(datasets, arguments, protocol, seed, console);
        var dataset = split.Dataset;

        Directory.CreateDirectory(outputFolder);
        var report = MetricsReport.For(split);
        var evaluator = new RankingEvaluator();
        var evaluationSeconds = new List<double>();
        for (var position = 0; position < selectedModels.Count; position++)
        {
            var model = selectedModels[position];
            var stopwatch = Stopwatch.StartNew();
            var scorer = SessionScorer.ForSplit(split, SplitArguments.Timed(console, $"Trained {model.Name}", () => model.Train(split)), model.Name);
            var trainSeconds = stopwatch.Elapsed.TotalSeconds;
            stopwatch.Restart();
            var result = SplitArguments.Timed(console, $"Ranked test users for {model.Name}", () => evaluator.Evaluate(split, EvaluationTarget.Test, scorer, k));
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

    private List<EvaluationModel> ReadModels(CommandArguments arguments) =>
        [.. SplitArguments.ReadModelNames(arguments, [.. models.Select(model => model.Name)])
            .Select(name => models.First(model => model.Name == name))];

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
