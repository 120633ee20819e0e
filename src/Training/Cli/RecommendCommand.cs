using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Recommender.Model.Bundle;
using Recommender.Model.Engine;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Recommender.Training.Cli;

/// <summary><c>recommend</c>: answer one request through the recommendation engine on a model bundle.</summary>
[Description("Recommend movies for a user, a viewing history or similar to a movie, from a model bundle.")]
internal sealed class RecommendCommand(CliConsoles consoles) : Command<RecommendCommand.Settings>
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--bundle <DIR>", true)]
        [Description("Model bundle folder (train writes one to <out>/bundle).")]
        public required string Bundle { get; init; }

        [CommandOption("--user <ID>")]
        [Description("MovieLens user id: recommendations from the user's stored history.")]
        public int? User { get; init; }

        [CommandOption("--history <IDS>")]
        [Description("Comma-separated MovieLens movie ids, oldest first: session recommendations.")]
        public string? History { get; init; }

        [CommandOption("--similar <ID>")]
        [Description("MovieLens movie id: the nearest movies in embedding space.")]
        public int? Similar { get; init; }

        [CommandOption("--count <N>")]
        [Description("How many movies (1..100).")]
        [DefaultValue(10)]
        public int Count { get; init; } = 10;

        [CommandOption("--genres <LIST>")]
        [Description("Comma-separated genres; keep movies with any of them.")]
        public string? Genres { get; init; }

        [CommandOption("--format <FORMAT>")]
        [Description("table or json.")]
        [DefaultValue("table")]
        public string Format { get; init; } = "table";

        public override ValidationResult Validate()
        {
            if (new object?[] { User, History, Similar }.Count(mode => mode is not null) != 1)
            {
                return ValidationResult.Error("Give exactly one of --user, --history or --similar.");
            }
            if (Count is < 1 or > 100)
            {
                return ValidationResult.Error($"Option '--count' must be between 1 and 100, got {Count}.");
            }
            if (Format is not ("table" or "json"))
            {
                return ValidationResult.Error($"Option '--format' expects 'json' or 'table', got '{Format}'.");
            }
            if (History is not null && HistoryIds.FirstOrDefault(id => !int.TryParse(id, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)) is { } bad)
            {
                return ValidationResult.Error($"Option '--history': '{bad}' is not a movie id.");
            }
            return ValidationResult.Success();
        }

        private string[] HistoryIds => (History ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        public int[] HistoryMovieIds => [.. HistoryIds.Select(id => int.Parse(id, NumberStyles.Integer, CultureInfo.InvariantCulture))];

        public RecommendationOptions Options => Genres is null
            ? RecommendationOptions.Default
            : new RecommendationOptions { Genres = [.. Genres.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)] };
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        RecommendationResult result;
        try
        {
            using var engine = RecommendationEngine.Load(settings.Bundle);
            result = settings switch
            {
                { User: { } user } => engine.RecommendForUser(user, settings.Count, settings.Options),
                { Similar: { } movie } => engine.SimilarMovies(movie, settings.Count),
                _ => engine.RecommendForHistory(settings.HistoryMovieIds, settings.Count, settings.Options),
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

        var output = consoles.Output;
        if (settings.Format == "json")
        {
            var document = new
            {
                path = result.Path.ToString().ToLowerInvariant(),
                modelVersion = result.ModelVersion,
                precomputed = result.FromPrecomputed,
                results = result.Items.Select(movie => new { movie.MovieId, movie.Title, movie.Year, movie.Genres, movie.Score, movie.Rank }),
            };
            output.Profile.Width = int.MaxValue;
            output.Write(new Text(JsonSerializer.Serialize(document, JsonOptions) + Environment.NewLine));
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
        output.Write(table);
        return ExitCodes.Success;
    }
}
