using Spectre.Console;
using Recommender.Model.Data.Synthetic;

namespace Recommender.Training.Cli;

/// <summary><c>generate</c>: write a synthetic MovieLens-shaped release (ml-latest layout) for offline runs and benchmarks.</summary>
internal sealed class GenerateCommand : ICommand
{
    public string Name => "generate";

    public string Summary => "Write a synthetic MovieLens-shaped release (ratings.csv, movies.csv) to a folder.";

    public IReadOnlyList<CommandOption> Options { get; } =
    [
        new("out", "Folder to write ratings.csv and movies.csv to.", "dir", Required: true),
        new("users", "Number of users.", "n", DefaultValue: "1000"),
        new("movies", "Number of movies in the catalogue.", "n", DefaultValue: "2000"),
        new("ratings", "Number of ratings.", "n", DefaultValue: "100000"),
        new("seed", "Random seed (same seed and sizes give the same bytes).", "n", DefaultValue: "42"),
    ];

    public int Execute(CommandArguments arguments, CommandContext context)
    {
        var options = new SyntheticDatasetOptions
        {
            Users = arguments.Has("users") ? arguments.Int32("users", minimum: 1) : 1_000,
            Movies = arguments.Has("movies") ? arguments.Int32("movies", minimum: 1) : 2_000,
            Ratings = arguments.Has("ratings") ? arguments.Int32("ratings", minimum: 1) : 100_000,
            Seed = arguments.Has("seed") ? arguments.Int32("seed") : 42,
        };
        SyntheticDatasetFiles files;
        try
        {
            files = new SyntheticMovieLensGenerator(options).WriteTo(arguments.RequiredValue("out"));
        }
        catch (ArgumentException exception)
        {
            throw new UsageException(exception.Message);
        }
        context.Output.WriteLine(
            $"Wrote {options.Ratings:N0} ratings by {options.Users:N0} users on {options.Movies:N0} movies to {files.Folder}");
        return ExitCodes.Success;
    }
}
