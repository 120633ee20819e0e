using Recommender.Model.Bundle;

namespace Recommender.Training.Export;

/// <summary>
/// Seeded random weights and catalogue/user data of any size, for exercising the export, the bundle and the engine
/// without training (tests, benchmarks). Weight scales follow PyTorch's default LSTM initialisation.
/// </summary>
public static class SyntheticModel
{
    public static readonly string[] Genres =
    [
        "Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama", "Fantasy", "Film-Noir",
        "Horror", "IMAX", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ];

    public static GcnLstmInferenceWeights CreateWeights(int seed, int movieCount, int userCount, int dim = 64, int hidden = 128, int layers = 2, int maxHistory = 50, bool transitions = true)
    {
        var random = new Random(seed);
        var lstmScale = 1f / MathF.Sqrt(hidden);
        return new GcnLstmInferenceWeights
        {
            Dim = dim,
            Hidden = hidden,
            Layers = layers,
            MaxHistory = maxHistory,
            MovieCount = movieCount,
            MovieTable = Uniform(random, (long)movieCount * dim, 1f),
            UserCount = userCount,
            UserTable = Uniform(random, (long)userCount * dim, 1f),
            Anonymous = Uniform(random, dim, 1f),
            Lstm = [.. Enumerable.Range(0, layers).Select(layer => new LstmLayerWeights
            {
                WeightIh = Uniform(random, 4L * hidden * (layer == 0 ? dim : hidden), lstmScale),
                WeightHh = Uniform(random, 4L * hidden * hidden, lstmScale),
                BiasIh = Uniform(random, 4L * hidden, lstmScale),
                BiasHh = Uniform(random, 4L * hidden, lstmScale),
            })],
            ProjectionWeight = Uniform(random, (long)dim * hidden, 1f / MathF.Sqrt(hidden)),
            ProjectionBias = Uniform(random, dim, 1f / MathF.Sqrt(hidden)),
            GateWeight = Uniform(random, 2L * dim * dim, 1f / MathF.Sqrt(2 * dim)),
            GateBias = Uniform(random, dim, 1f / MathF.Sqrt(2 * dim)),
            TransitionTable = transitions ? Uniform(random, (long)movieCount * dim, 0.5f) : null,
        };
    }

    /// <summary>
    /// Catalogue and users matching <paramref name="weights"/>: movie ids 10·index + 1, user ids 1000 + index,
    /// roughly 1 in 20 movies without a year, 1 to 3 genres each, and histories of 0..MaxHistory movies
    /// (about 1 in 25 users empty) whose seen sets add up to as many older movies.
    /// </summary>
    public static BundleExportData CreateExportData(int seed, GcnLstmInferenceWeights weights)
    {
        var random = new Random(seed);
        var movieCount = weights.MovieCount;
        var movies = new BundleMovie[movieCount];
        for (var item = 0; item < movieCount; item++)
        {
            int? year = random.Next(20) == 0 ? null : 1920 + random.Next(100);
            var genres = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => Genres[random.Next(Genres.Length)]).Distinct().ToArray();
            movies[item] = new BundleMovie(10 * item + 1, $"Synthetic movie {item}", year, genres);
        }

        var histories = new List<IReadOnlyList<int>>(weights.UserCount);
        var seen = new List<IReadOnlyList<int>>(weights.UserCount);
        for (var user = 0; user < weights.UserCount; user++)
        {
            var length = random.Next(25) == 0 ? 0 : 1 + random.Next(weights.MaxHistory);
            var history = Enumerable.Range(0, length).Select(_ => random.Next(movieCount)).ToArray();
            var older = Enumerable.Range(0, length == 0 ? 0 : random.Next(length + 1)).Select(_ => random.Next(movieCount));
            histories.Add(history);
            seen.Add([.. history.Concat(older).Distinct().Order()]);
        }

        var counts = Enumerable.Range(0, movieCount).Select(_ => random.Next(1000)).ToArray();
        var ranking = Enumerable.Range(0, movieCount).OrderByDescending(item => counts[item]).ThenBy(item => item).ToArray();
        return new BundleExportData
        {
            Movies = movies,
            UserIds = [.. Enumerable.Range(1000, weights.UserCount)],
            History = RaggedIndexTable.FromRows(histories),
            Seen = RaggedIndexTable.FromRows(seen),
            PopularityItems = ranking,
            PopularityScores = [.. ranking.Select(item => (float)counts[item])],
            DatasetFingerprint = Convert.ToHexStringLower(BitConverter.GetBytes((long)seed)) + "synthetic",
            HyperParameters = new Dictionary<string, string> { ["source"] = "synthetic", ["seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            Metrics = new Dictionary<string, double>(),
        };
    }

    private static float[] Uniform(Random random, long count, float scale)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        }
        return values;
    }
}
