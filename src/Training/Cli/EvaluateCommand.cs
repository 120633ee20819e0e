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
        new("seed", "Seed of the split and of model training.", "n", DefaultValue: "42"),
        new("k", "Length of the ranked lists the metrics are computed on.", "n", DefaultValue: "10"),
        new("skip-bad-rows", "Skip malformed rows (counted in the ingestion report) instead of failing."),
        new("stratify-by", "stratified: split 75/25 within each user or each movie.", "user|item", DefaultValue: "user"),
        new("min-rating", "leave-one-out: drop interactions rated below this before splitting.", "rating"),
        new("k-core", "leave-one-out: iteratively drop users and movies with fewer than n interactions.", "n", DefaultValue: "0"),
        new("cut", "temporal: train before this quantile of all timestamps or ISO 8601 instant.", "quantile|instant", DefaultValue: "0.9"),
    ];

    /// <summary>The recommendations file of the model at <paramref name="position"/> in the --models list.</summary>
    public static string RecommendationsFileName(int position, string model) =>
        position == 0 ? "recommendations.csv" : $"recommendations-{model}.csv";

    public int Execute(CommandArguments arguments, CommandContext context)
    {
        var protocolName = arguments.RequiredValue("protocol");
        var protocol = SplitProtocols.Create(protocolName, ReadSplitOptions(arguments, protocolName));
        var selectedModels = ReadModels(arguments);
        var seed = arguments.Int32("seed");
        var k = arguments.Int32("k", minimum: 1);
        var outputFolder = arguments.RequiredValue("out");
        var console = context.Output;

        var dataset = Timed(console, "Loaded data set", () => datasets.Load(arguments.RequiredValue("data"), arguments.Flag("skip-bad-rows")));
        console.WriteLine(
            $"  {dataset.Name}: {dataset.Users.Count:N0} users, {dataset.Items.Count:N0} movies, {dataset.Interactions.Count:N0} interactions");

        DataSplit split;
        try
        {
            split = Timed(console, $"Split ({protocol.Name}, seed {seed})", () => protocol.Split(dataset, seed));
        }
        catch (InvalidOperationException exception)
        {
            throw new CommandFailedException($"Cannot split {dataset.Name} with {protocol.Name}: {exception.Message}", exception);
        }
        var parameters = string.Join(", ", split.Parameters.Select(pair => $"{pair.Key}={pair.Value}"));
        console.WriteLine(
            $"  train {split.Train.Count:N0}, validation {split.Validation.Count:N0}, test {split.Test.Count:N0}; {parameters}");

        Directory.CreateDirectory(outputFolder);
        var report = MetricsReport.For(split);
        var evaluator = new RankingEvaluator();
        var evaluationSeconds = new List<double>();
        for (var position = 0; position < selectedModels.Count; position++)
        {
            var model = selectedModels[position];
            var stopwatch = Stopwatch.StartNew();
            var scorer = Timed(console, $"Trained {model.Name}", () => model.Train(split));
            var trainSeconds = stopwatch.Elapsed.TotalSeconds;
            stopwatch.Restart();
            var result = Timed(console, $"Ranked test users for {model.Name}", () => evaluator.Evaluate(split, EvaluationTarget.Test, scorer, k));
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

    private static SplitOptions ReadSplitOptions(CommandArguments arguments, string protocol)
    {
        if (!SplitProtocols.IsKnown(protocol))
        {
            throw new UsageException($"Unknown protocol '{protocol}'. Valid protocols: {string.Join(", ", SplitProtocols.Names)}.");
        }
        RequireProtocol(arguments, "stratify-by", protocol, SplitProtocols.Stratified);
        RequireProtocol(arguments, "min-rating", protocol, SplitProtocols.LeaveOneOut);
        RequireProtocol(arguments, "k-core", protocol, SplitProtocols.LeaveOneOut);
        RequireProtocol(arguments, "cut", protocol, SplitProtocols.Temporal);

        var stratifyBy = arguments.RequiredValue("stratify-by") switch
        {
            "user" => StratifyBy.User,
            "item" => StratifyBy.Item,
            var other => throw new UsageException($"Option '--stratify-by' expects 'user' or 'item', got '{other}'."),
        };
        TemporalCut cut;
        try
        {
            cut = TemporalCut.Parse(arguments.RequiredValue("cut"));
        }
        catch (Exception exception) when (exception is FormatException or ArgumentOutOfRangeException)
        {
            throw new UsageException($"Option '--cut': {exception.Message}");
        }
        return new SplitOptions
        {
            K = arguments.Int32("k", minimum: 1),
            Stratified = new StratifiedSplitOptions { StratifyBy = stratifyBy },
            LeaveOneOut = new LeaveOneOutOptions
            {
                MinRating = arguments.Has("min-rating") ? arguments.Single("min-rating") : null,
                KCore = arguments.Int32("k-core", minimum: 0),
            },
            Temporal = new TemporalSplitOptions { Cut = cut },
        };
    }

    private static void RequireProtocol(CommandArguments arguments, string option, string protocol, string owner)
    {
        if (arguments.Has(option) && protocol != owner)
        {
            throw new UsageException($"Option '--{option}' applies only to --protocol {owner}, not {protocol}.");
        }
    }

    private List<EvaluationModel> ReadModels(CommandArguments arguments)
    {
        var names = arguments.List("models");
        if (names.Count == 0)
        {
            throw new UsageException("Option '--models' lists no model.");
        }
        var selected = new List<EvaluationModel>();
        foreach (var name in names)
        {
            var model = models.FirstOrDefault(candidate => candidate.Name == name)
                ?? throw new UsageException($"Unknown model '{name}'. Valid models: {string.Join(", ", models.Select(candidate => candidate.Name))}.");
            if (selected.Contains(model))
            {
                throw new UsageException($"Model '{name}' is listed more than once in --models.");
            }
            selected.Add(model);
        }
        return selected;
    }

    private static T Timed<T>(IAnsiConsole console, string description, Func<T> work)
    {
        var stopwatch = Stopwatch.StartNew();
        // A spinner only where someone watches; redirected output gets just the summary line.
        var result = console.Profile.Capabilities.Interactive ? console.Status().Start($"{description}…", _ => work()) : work();
        console.WriteLine($"{description} in {stopwatch.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)} s");
        return result;
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
