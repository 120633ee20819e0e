using System.Text;
using Recommender.Model.Data;
using Recommender.Model.Evaluation;

namespace Recommender.Training.Tests.Models;

/// <summary>
/// TEST / EXPERIMENT SCAFFOLDING ONLY: a minimal ml-100k reader (u.data, u.item, u.user) and two splitters
/// (per-user random 75/25 and leave-one-out by time) so the models can be measured before the real ingestion and
/// split protocols (src/Model, other branches) are merged. Not for production use.
/// </summary>
internal static class TestData
{
    public static string? MovieLensFolder(string release)
    {
        var root = Environment.GetEnvironmentVariable("RECOMMENDER_MOVIELENS");
        if (root is null)
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Serverless.sln")))
            {
                directory = directory.Parent;
            }
            if (directory?.Parent is null)
            {
                return null;
            }
            root = Path.Combine(directory.Parent.FullName, "shared", "data", "movielens");
        }
        var folder = Path.Combine(root, release);
        return File.Exists(Path.Combine(folder, "u.data")) ? folder : null;
    }

    private static readonly Lock Gate = new();
    private static MovieLensDataset? _ml100k;

    /// <summary>ml-100k, read once per test process.</summary>
    public static MovieLensDataset Ml100k()
    {
        lock (Gate)
        {
            return _ml100k ??= ReadMl100k(MovieLensFolder("ml-100k") ?? throw new DirectoryNotFoundException("ml-100k is not available."));
        }
    }

    public static MovieLensDataset ReadMl100k(string folder)
    {
        var users = new IdIndex();
        var items = new IdIndex();
        var userColumn = new List<int>();
        var itemColumn = new List<int>();
        var ratings = new List<float>();
        var timestamps = new List<long>();
        var dataPath = Path.Combine(folder, "u.data");
        var lineNumber = 0;
        foreach (var line in File.ReadLines(dataPath))
        {
            lineNumber++;
            var fields = line.Split('\t');
            if (fields.Length != 4)
            {
                throw new InvalidDataException($"{dataPath}:{lineNumber}: expected 4 tab-separated fields.");
            }
            userColumn.Add(users.GetOrAdd(int.Parse(fields[0])));
            itemColumn.Add(items.GetOrAdd(int.Parse(fields[1])));
            ratings.Add(float.Parse(fields[2]));
            timestamps.Add(long.Parse(fields[3]));
        }
        var genreNames = new[]
        {
            "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
            "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
        };
        var movies = new Dictionary<int, MovieInfo>();
        foreach (var line in File.ReadLines(Path.Combine(folder, "u.item"), Encoding.Latin1))
        {
            var fields = line.Split('|');
            if (fields.Length < 24)
            {
                continue;
            }
            var flags = fields[^19..];
            var genres = genreNames.Where((_, i) => flags[i] == "1").ToList();
            var movieId = int.Parse(fields[0]);
            movies[movieId] = new MovieInfo(movieId, fields[1], null, genres);
        }
        var profiles = new Dictionary<int, UserProfile>();
        var userFile = Path.Combine(folder, "u.user");
        if (File.Exists(userFile))
        {
            foreach (var line in File.ReadLines(userFile, Encoding.Latin1))
            {
                var fields = line.Split('|');
                if (fields.Length == 5)
                {
                    var userId = int.Parse(fields[0]);
                    profiles[userId] = new UserProfile(userId, int.Parse(fields[1]), fields[2], fields[3], fields[4]);
                }
            }
        }
        return new MovieLensDataset
        {
            Name = "ml-100k",
            Format = "ml-100k",
            Scale = RatingScale.WholeStars,
            Interactions = new InteractionTable([.. userColumn], [.. itemColumn], [.. ratings], [.. timestamps], users.Count, items.Count),
            Users = users,
            Items = items,
            Movies = movies,
            UserProfiles = profiles,
            Fingerprint = "test-scaffolding",
            Report = new IngestionReport(),
        };
    }

    /// <summary>
    /// Per user: a random 25% (rounded) of the interactions is the test set; of the rest, a random
    /// <paramref name="validationShare"/> (at least one when the user has 10 or more) is validation.
    /// </summary>
    public static DataSplit Stratified(MovieLensDataset dataset, int seed = 42, double testShare = 0.25, double validationShare = 0.05)
    {
        var random = new Random(seed);
        var train = new List<int>();
        var validation = new List<int>();
        var test = new List<int>();
        foreach (var rows in RowsByUser(dataset.Interactions))
        {
            var shuffled = rows.ToArray();
            random.Shuffle(shuffled);
            var testCount = (int)Math.Round(shuffled.Length * testShare);
            var rest = shuffled.Length - testCount;
            var validationCount = rest >= 10 ? Math.Max(1, (int)Math.Round(rest * validationShare)) : 0;
            test.AddRange(shuffled[..testCount]);
            validation.AddRange(shuffled[testCount..(testCount + validationCount)]);
            train.AddRange(shuffled[(testCount + validationCount)..]);
        }
        return Split(dataset, "stratified", seed, train, validation, test);
    }

    /// <summary>Per user by time: the last interaction is the test, the one before validation, the rest training.</summary>
    public static DataSplit LeaveOneOut(MovieLensDataset dataset)
    {
        var interactions = dataset.Interactions;
        var train = new List<int>();
        var validation = new List<int>();
        var test = new List<int>();
        foreach (var rows in RowsByUser(interactions))
        {
            var ordered = rows.OrderBy(r => interactions.Timestamps[r]).ThenBy(r => r).ToArray();
            if (ordered.Length < 3)
            {
                train.AddRange(ordered);
                continue;
            }
            test.Add(ordered[^1]);
            validation.Add(ordered[^2]);
            train.AddRange(ordered[..^2]);
        }
        return Split(dataset, "leave-one-out", 0, train, validation, test);
    }

    private static List<List<int>> RowsByUser(InteractionTable table)
    {
        var rows = Enumerable.Range(0, table.UserCount).Select(_ => new List<int>()).ToList();
        for (var row = 0; row < table.Count; row++)
        {
            rows[table.Users[row]].Add(row);
        }
        return rows;
    }

    private static DataSplit Split(MovieLensDataset dataset, string protocol, int seed, List<int> train, List<int> validation, List<int> test)
    {
        train.Sort();
        validation.Sort();
        test.Sort();
        return new DataSplit
        {
            Dataset = dataset,
            Protocol = protocol,
            Seed = seed,
            K = 10,
            Parameters = new Dictionary<string, string>(),
            Train = dataset.Interactions.Select([.. train]),
            Validation = dataset.Interactions.Select([.. validation]),
            Test = dataset.Interactions.Select([.. test]),
        };
    }
}
