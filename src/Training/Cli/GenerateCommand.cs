using System.ComponentModel;
using Recommender.Model.Data.Synthetic;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Recommender.Training.Cli;

/// <summary><c>generate</c>: write a synthetic MovieLens-shaped release (ml-latest layout) for offline runs and benchmarks.</summary>
[Description("Write a synthetic MovieLens-shaped release (ratings.csv, movies.csv) to a folder.")]
internal sealed class GenerateCommand(CliConsoles consoles) : Command<GenerateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--out <DIR>", true)]
        [Description("Folder to write ratings.csv and movies.csv to.")]
        public required string Out { get; init; }

        [CommandOption("--users <N>")]
        [Description("Number of users.")]
        [DefaultValue(1_000)]
        public int Users { get; init; } = 1_000;

        [CommandOption("--movies <N>")]
        [Description("Number of movies in the catalogue.")]
        [DefaultValue(2_000)]
        public int Movies { get; init; } = 2_000;

        [CommandOption("--ratings <N>")]
        [Description("Number of ratings.")]
        [DefaultValue(100_000)]
        public int Ratings { get; init; } = 100_000;

        [CommandOption("--seed <N>")]
        [Description("Random seed (same seed and sizes give the same bytes).")]
        [DefaultValue(42)]
        public int Seed { get; init; } = 42;

        public override ValidationResult Validate() =>
            new (string Option, int Value)[] { ("--users", Users), ("--movies", Movies), ("--ratings", Ratings) }
                .FirstOrDefault(option => option.Value < 1) is { Option: { } option, Value: var value }
                ? ValidationResult.Error($"Option '{option}' must be at least 1, got {value}.")
                : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = new SyntheticDatasetOptions { Users = settings.Users, Movies = settings.Movies, Ratings = settings.Ratings, Seed = settings.Seed };
        SyntheticDatasetFiles files;
        try
        {
            files = new SyntheticMovieLensGenerator(options).WriteTo(settings.Out);
        }
        catch (ArgumentException exception)
        {
            // The generator's own limits, such as more ratings than users × movies.
            throw new UsageException(exception.Message);
        }
        consoles.Output.WriteLine(
            $"Wrote {options.Ratings:N0} ratings by {options.Users:N0} users on {options.Movies:N0} movies to {files.Folder}");
        return ExitCodes.Success;
    }
}
