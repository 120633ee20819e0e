using Recommender.Model.Data;
using Recommender.Model.Evaluation;

namespace Recommender.Training.Tests.Models;

/// <summary>Small generated data sets for the model tests (no files needed).</summary>
internal static class SyntheticData
{
    private static readonly string[] GenreNames = ["Action", "Comedy", "Drama", "Horror"];

    /// <summary>
    /// Users watch a random subset of the movies in increasing id order (the planted order), one per day:
    /// the next movie is always a later one in the order, which only a sequence model can tell from the co-occurrences.
    /// </summary>
    public static MovieLensDataset PlantedOrder(int users, int movies, int minLength, int maxLength, int seed)
    {
        var random = new Random(seed);
        var rows = new List<(int User, int Movie, float Rating, long Time)>();
        for (var user = 0; user < users; user++)
        {
            var length = random.Next(minLength, maxLength + 1);
            var watched = Enumerable.Range(0, movies).OrderBy(_ => random.Next()).Take(length).Order().ToList();
            for (var step = 0; step < watched.Count; step++)
            {
                rows.Add((user, watched[step], 1 + random.Next(5), 1_000_000L + user * 10_000L + step * 86_400L));
            }
        }
        return Build(rows, users, movies, random);
    }

    /// <summary>
    /// Every movie has a fixed random successor ("the sequel"), and users have one of <paramref name="tastes"/> tastes
    /// (movie index mod tastes).
    /// Each next movie is, with probability <paramref name="sequelProbability"/>, the sequel of the one before (unless
    /// already watched), otherwise a random unwatched movie of the user's taste: the sequels are for a sequence model
    /// (or a Markov chain) to find, the tastes for a graph model. One movie a day.
    /// </summary>
    public static MovieLensDataset PlantedSequels(int users, int movies, int minLength, int maxLength, double sequelProbability, int tastes, int seed)
    {
        var random = new Random(seed);
        var sequel = Enumerable.Range(0, movies).ToArray();
        random.Shuffle(sequel);
        var rows = new List<(int User, int Movie, float Rating, long Time)>();
        for (var user = 0; user < users; user++)
        {
            var length = random.Next(minLength, maxLength + 1);
            var taste = Enumerable.Range(0, movies).Where(movie => movie % tastes == user % tastes).ToList();
            var watched = new HashSet<int>();
            var movie = taste[random.Next(taste.Count)];
            for (var step = 0; step < length; step++)
            {
                watched.Add(movie);
                rows.Add((user, movie, 1 + random.Next(5), 1_000_000L + user * 10_000L + step * 86_400L));
                var next = sequel[movie];
                if (random.NextDouble() >= sequelProbability || watched.Contains(next))
                {
                    var unwatched = taste.Where(candidate => !watched.Contains(candidate)).ToList();
                    next = unwatched.Count > 0 ? unwatched[random.Next(unwatched.Count)] : sequel[movie];
                }
                movie = next;
            }
        }
        return Build(rows, users, movies, random);
    }

    /// <summary>Users with random tastes: each rates a random set of movies at random times.</summary>
    public static MovieLensDataset Random(int users, int movies, int perUser, int seed)
    {
        var random = new Random(seed);
        var rows = new List<(int User, int Movie, float Rating, long Time)>();
        for (var user = 0; user < users; user++)
        {
            foreach (var movie in Enumerable.Range(0, movies).OrderBy(_ => random.Next()).Take(perUser))
            {
                rows.Add((user, movie, 1 + random.Next(5), 1_000_000L + random.Next(1_000_000)));
            }
        }
        return Build(rows, users, movies, random);
    }

    private static MovieLensDataset Build(List<(int User, int Movie, float Rating, long Time)> rows, int users, int movies, Random random)
    {
        // Raw ids differ from indices, as in the real data, and every user and movie appears.
        var userIndex = new IdIndex(Enumerable.Range(0, users).Select(u => 1000 + u));
        var itemIndex = new IdIndex(Enumerable.Range(0, movies).Select(m => 5000 + m));
        var interactions = new InteractionTable(
            rows.Select(r => r.User).ToArray(),
            rows.Select(r => r.Movie).ToArray(),
            rows.Select(r => r.Rating).ToArray(),
            rows.Select(r => r.Time).ToArray(),
            users,
            movies);
        var catalogue = Enumerable.Range(0, movies).ToDictionary(
            m => 5000 + m,
            m => new MovieInfo(5000 + m, $"Movie {m}", 2000, [GenreNames[m % GenreNames.Length]]));
        var profiles = Enumerable.Range(0, users).ToDictionary(
            u => 1000 + u,
            u => new UserProfile(1000 + u, 18 + random.Next(50), u % 2 == 0 ? "M" : "F", "student", "12345"));
        return new MovieLensDataset
        {
            Name = "synthetic",
            Format = "synthetic",
            Scale = RatingScale.WholeStars,
            Interactions = interactions,
            Users = userIndex,
            Items = itemIndex,
            Movies = catalogue,
            UserProfiles = profiles,
            Fingerprint = "synthetic",
            Report = new IngestionReport(),
        };
    }

    public static DataSplit LeaveOneOut(MovieLensDataset dataset) => TestData.LeaveOneOut(dataset);
}
