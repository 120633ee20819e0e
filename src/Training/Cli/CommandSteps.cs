using System.Diagnostics;
using System.Globalization;
using Recommender.Model.Evaluation;
using Spectre.Console;

namespace Recommender.Training.Cli;

/// <summary>The steps the data commands share: load then split, and timing a step on the console.</summary>
internal static class CommandSteps
{
    public static DataSplit LoadAndSplit(IDatasetLoader datasets, string data, SplitDefinition definition, IAnsiConsole console)
    {
        var protocol = definition.CreateProtocol();
        var dataset = Timed(console, "Loaded data set", () => datasets.Load(data, definition.SkipBadRows));
        console.WriteLine(
            $"  {dataset.Name}: {dataset.Users.Count:N0} users, {dataset.Items.Count:N0} movies, {dataset.Interactions.Count:N0} interactions");

        DataSplit split;
        try
        {
            split = Timed(console, $"Split ({protocol.Name}, seed {definition.Seed})", () => protocol.Split(dataset, definition.Seed));
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

    public static T Timed<T>(IAnsiConsole console, string description, Func<T> work)
    {
        var stopwatch = Stopwatch.StartNew();
        // A spinner only where someone watches; redirected output gets just the summary line.
        var result = console.Profile.Capabilities.Interactive ? console.Status().Start($"{description}…", _ => work()) : work();
        console.WriteLine($"{description} in {stopwatch.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)} s");
        return result;
    }
}
