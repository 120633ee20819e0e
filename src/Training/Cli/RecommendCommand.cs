using System.Globalization;
using System.Text.Json;
using Recommender.Model.Bundle;
using Recommender.Model.Engine;
using Spectre.Console;

namespace Recommender.Training.Cli;

/// <summary><c>recommend</c>: answer one request through the recommendation engine on a model bundle.</summary>
internal sealed class RecommendCommand : ICommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string Name => "recommend";

    public string Summary => "Recommend movies for a user, a viewing history or similar to a movie, from a model bundle.";

    public IReadOnlyList<CommandOption> Options { get; } =
    [
        new("bundle", "Model bundle folder (train writes one to <out>/bundle).", "dir", Required: true),
        new("user", "MovieLens user id: recommendations from the user's stored history.", "id"),
        new("history", "Comma-separated MovieLens movie ids, oldest first: session recommendations.", "ids"),
        new("similar", "MovieLens movie id: the nearest movies in embedding space.", "id"),
        new("count", "How many movies (1..100).", "n", DefaultValue: "10"),
        new("genres", "Comma-separated genres; keep movies with any of them.", "list"),
        new("format", "json or table.", "format", DefaultValue: "table"),
    ];

    public int Execute(CommandArguments arguments, CommandContext context)
    {
        var modes = new[] { "user", "history", "similar" }.Where(arguments.Has).ToList();
        if (modes.Count != 1)
        {
            throw new UsageException("Give exactly one of --user, --history or --similar.");
        }
        var count = arguments.Int32("count", minimum: 1);
        if (count > 100)
        {
            throw new UsageException($"Option '--count' must be at most 100, got {count}.");
        }
        var format = arguments.RequiredValue("format");
        if (format is not ("json" or "table"))
        {
            throw new UsageException($"Option '--format' expects 'json' or 'table', got '{format}'.");
        }
        var options = arguments.Has("genres") ? new RecommendationOptions { Genres = [.. arguments.List("genres")] } : RecommendationOptions.Default;

        RecommendationResult result;
        try
        {
            using var engine = RecommendationEngine.Load(arguments.RequiredValue("bundle"));
            result = modes[0] switch
            {
                "user" => engine.RecommendForUser(arguments.Int32("user"), count, options),
                "history" => engine.RecommendForHistory(ParseIds(arguments.List("history")), count, options),
                _ => engine.SimilarMovies(arguments.Int32("similar"), count),
            };
        }
        catch (BundleValidationException exception)
        {
            throw new CommandFailedException(exception.Message, exception);
        }
        catch (ArgumentException exception)
        {
            throw new CommandFailedException(exception.Message, exception);
        }

        if (format == "json")
        {
            var document = new
            {
                path = result.Path.ToString().ToLowerInvariant(),
                modelVersion = result.ModelVersion,
                precomputed = result.FromPrecomputed,
                results = result.Items.Select(movie => new { movie.MovieId, movie.Title, movie.Year, movie.Genres, movie.Score, movie.Rank }),
            };
            context.Output.Profile.Width = int.MaxValue;
            context.Output.Write(new Text(JsonSerializer.Serialize(document, JsonOptions) + Environment.NewLine));
            return ExitCodes.Success;
        }
        var table = new Table()
            .Caption($"{result.Path.ToString().ToLowerInvariant()} · model {result.ModelVersion}{(result.FromPrecomputed ? " · precomputed" : "")}")
            .AddColumn(new TableColumn("rank").RightAligned()).AddColumn("movieId").AddColumn("title").AddColumn("year")
            .AddColumn("genres").AddColumn(new TableColumn("score").RightAligned());
        foreach (var movie in result.Items)
        {
            table.AddRow(
                new Text(movie.Rank.ToString(CultureInfo.InvariantCulture)), new Text(movie.MovieId.ToString(CultureInfo.InvariantCulture)),
                new Text(movie.Title), new Text(movie.Year?.ToString(CultureInfo.InvariantCulture) ?? ""),
                new Text(string.Join("|", movie.Genres)), new Text(movie.Score.ToString("F4", CultureInfo.InvariantCulture)));
        }
        context.Output.Write(table);
        return ExitCodes.Success;
    }

    private static int[] ParseIds(IReadOnlyList<string> values) =>
        [.. values.Select(value => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new UsageException($"Option '--history': '{value}' is not a movie id."))];
}
