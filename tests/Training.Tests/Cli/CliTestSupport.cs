using Recommender.Model.Data;
using Recommender.Training.Cli;
using Spectre.Console.Testing;

namespace Recommender.Training.Tests.Cli;

/// <summary>Runs the CLI as the executable does, with its output and error streams captured as plain text.</summary>
internal sealed class CliRun
{
    private readonly TestConsole _output = new TestConsole().Width(200);
    private readonly TestConsole _error = new TestConsole().Width(200);

    private CliRun(IReadOnlyList<string> args, TrainingCli.Services services)
    {
        ExitCode = TrainingCli.Run(args, new CliConsoles(_output, _error), services);
    }

    public int ExitCode { get; }

    public string Output => _output.Output;

    public string Error => _error.Output;

    /// <summary>Runs with the given data sets and <c>evaluate</c> models, and no app settings.</summary>
    public static CliRun With(IDatasetLoader datasets, IReadOnlyList<EvaluationModel> models, params string[] args) =>
        new(args, new TrainingCli.Services(datasets, models, _ => null));

    public static CliRun With(IDatasetLoader datasets, params string[] args) => With(datasets, EvaluationModels.All, args);

    public static CliRun With(TrainingCli.Services services, params string[] args) => new(args, services);
}

/// <summary>Hands out an in-memory data set (or a failure) and records how it was asked.</summary>
internal sealed class InMemoryDatasetLoader(Func<MovieLensDataset> load) : IDatasetLoader
{
    public List<(string Path, bool SkipBadRows)> Calls { get; } = [];

    public MovieLensDataset Load(string path, bool skipBadRows)
    {
        Calls.Add((path, skipBadRows));
        return load();
    }
}

internal static class InMemoryDatasets
{
    /// <summary>
    /// <paramref name="userCount"/> users with 10..19 ratings each, drawn with a fixed seed from 40 movies whose
    /// popularity falls with their id; ids start at 101 (users) and 501 (movies) so raw and dense ids differ.
    /// </summary>
    public static MovieLensDataset Create(int userCount = 60, IngestionReport? report = null)
    {
        var random = new Random(17);
        var users = new IdIndex();
        var items = new IdIndex();
        List<int> userColumn = [], itemColumn = [];
        List<float> ratings = [];
        List<long> timestamps = [];
        for (var user = 0; user < userCount; user++)
        {
            var movies = new HashSet<int>();
            var count = 10 + random.Next(10);
            while (movies.Count < count)
            {
                movies.Add((int)(40 * Math.Pow(random.NextDouble(), 2)));
            }
            foreach (var movie in movies)
            {
                userColumn.Add(users.GetOrAdd(101 + user));
                itemColumn.Add(items.GetOrAdd(501 + movie));
                ratings.Add(1 + random.Next(5));
                timestamps.Add(880_000_000L + random.Next(10_000_000));
            }
        }
        return new MovieLensDataset
        {
            Name = "tiny",
            Format = "ml-100k",
            Scale = RatingScale.WholeStars,
            Interactions = new InteractionTable([.. userColumn], [.. itemColumn], [.. ratings], [.. timestamps], users.Count, items.Count),
            Users = users,
            Items = items,
            Movies = items.RawIds.ToArray().ToDictionary(id => id, id => new MovieInfo(id, $"Movie {id}", 1995, ["Drama"])),
            Fingerprint = "0123abcd",
            Report = report ?? new IngestionReport { RowsRead = userColumn.Count, RowsKept = userColumn.Count },
        };
    }
}
