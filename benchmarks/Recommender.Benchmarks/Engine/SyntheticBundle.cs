using Recommender.Training.Export;
using Recommender.Training.Trainers;

namespace Recommender.Benchmarks.Engine;

/// <summary>
/// An ML-20M-sized bundle with random weights (27,000 movies, 138,000 users, D = 64, L = 50, and by default the LSTM
/// shape training ships: one layer, H = 64), or one of ML-32M's size (87,585 movies, 200,948 users), exported once with
/// the real exporter and kept under the temp folder (or RECOMMENDER_BENCH_DIR).
/// </summary>
internal static class SyntheticBundle
{
    public const int Movies = 27_000;
    public const int Users = 138_000;
    public const int Ml32MMovies = 87_585;
    public const int Ml32MUsers = 200_948;
    public const int Dim = 64;
    public const int MaxHistory = 50;

    public static int DefaultHidden { get; } = new TrainingOptions().Hidden;
    public static int DefaultLayers { get; } = new TrainingOptions().LstmLayers;

    public static string Ensure(Action<string>? log = null) => Ensure(DefaultHidden, DefaultLayers, log);

    public static string Ensure(int hidden, int layers, Action<string>? log = null) => Ensure(Movies, Users, hidden, layers, log);

    public static string Ensure(int movies, int users, int hidden, int layers, Action<string>? log = null)
    {
        var root = Environment.GetEnvironmentVariable("RECOMMENDER_BENCH_DIR") ?? Path.Combine(Path.GetTempPath(), "recommender-benchmarks");
        var path = Path.Combine(root, $"synthetic-m{movies}-u{users}-d{Dim}-h{hidden}-l{layers}-L{MaxHistory}");
        if (Directory.Exists(path))
        {
            return path;
        }
        log?.Invoke($"Exporting the synthetic bundle to {path} (once) ...");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var weights = SyntheticModel.CreateWeights(seed: 1, movies, users, Dim, hidden, layers, MaxHistory);
        var data = SyntheticModel.CreateExportData(seed: 2, weights);
        ModelBundleExporter.Export(weights, data, path);
        log?.Invoke($"Exported in {started.Elapsed.TotalSeconds:F1} s.");
        return path;
    }

    /// <summary>Random session histories of exactly <paramref name="length"/> catalogue movie ids.</summary>
    public static int[][] SessionHistories(Recommender.Model.Engine.RecommendationEngine engine, int count, int length, int seed)
    {
        var random = new Random(seed);
        var movies = engine.Bundle.Content.Movies;
        return [.. Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, length).Select(_ => movies[random.Next(movies.Count)].MovieId).ToArray())];
    }
}
