using System.Diagnostics;
using System.Globalization;
using Recommender.Model.Data;
using Recommender.Model.Evaluation;
using Spectre.Console;

namespace Recommender.Training.Cli;

/// <summary>The data, protocol and split options shared by <c>evaluate</c> and <c>train</c>, and the load-then-split step.</summary>
internal static class SplitArguments
{
    public static IReadOnlyList<CommandOption> CommonOptions { get; } =
    [
        new("seed", "Seed of the split and of model training.", "n", DefaultValue: "42"),
        new("k", "Length of the ranked lists the metrics are computed on.", "n", DefaultValue: "10"),
    ];

    public static IReadOnlyList<CommandOption> ProtocolOptions { get; } =
    [
        new("skip-bad-rows", "Skip malformed rows (counted in the ingestion report) instead of failing."),
        new("stratify-by", "stratified: split 75/25 within each user or each movie.", "user|item", DefaultValue: "user"),
        new("min-rating", "leave-one-out: drop interactions rated below this before splitting.", "rating"),
        new("k-core", "leave-one-out: iteratively drop users and movies with fewer than n interactions.", "n", DefaultValue: "0"),
        new("cut", "temporal: train before this quantile of all timestamps or ISO 8601 instant.", "quantile|instant", DefaultValue: "0.9"),
    ];

    public static DataSplit LoadAndSplit(IDatasetLoader datasets, CommandArguments arguments, ISplitProtocol protocol, int seed, IAnsiConsole console)
    {
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
        return split;
    }

    /// <summary>The protocol named by --protocol, configured from the protocol options given.</summary>
    public static ISplitProtocol ReadProtocol(CommandArguments arguments)
    {
        var name = arguments.RequiredValue("protocol");
        return SplitProtocols.Create(name, ReadSplitOptions(arguments, name));
    }

    public static SplitOptions ReadSplitOptions(CommandArguments arguments, string protocol)
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

    public static void RequireProtocol(CommandArguments arguments, string option, string protocol, string owner)
    {
        if (arguments.Has(option) && protocol != owner)
        {
            throw new UsageException($"Option '--{option}' applies only to --protocol {owner}, not {protocol}.");
        }
    }


    public static T Timed<T>(IAnsiConsole console, string description, Func<T> work)
    {
        var stopwatch = Stopwatch.StartNew();
        // A spinner only where someone watches; redirected output gets just the summary line.
        var result = console.Profile.Capabilities.Interactive ? console.Status().Start($"{description}…", _ => work()) : work();
        console.WriteLine($"{description} in {stopwatch.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)} s");
        return result;
    }


    /// <summary>The --models list, checked against <paramref name="validNames"/>: not empty, known names, no repeats.</summary>
    public static IReadOnlyList<string> ReadModelNames(CommandArguments arguments, IReadOnlyList<string> validNames)
    {
        var names = arguments.List("models");
        if (names.Count == 0)
        {
            throw new UsageException("Option '--models' lists no model.");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!validNames.Contains(name))
            {
                throw new UsageException($"Unknown model '{name}'. Valid models: {string.Join(", ", validNames)}.");
            }
            if (!seen.Add(name))
            {
                throw new UsageException($"Model '{name}' is listed more than once in --models.");
            }
        }
        return names;
    }
}
