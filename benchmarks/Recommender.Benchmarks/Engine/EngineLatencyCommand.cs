using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Recommender.Model.Bundle;
using Recommender.Model.Engine;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Recommender.Benchmarks.Engine;

/// <summary>
/// engine-latency: per-request latency percentiles (which BenchmarkDotNet's per-iteration statistics do not give),
/// bundle load times, and requests per second with 1, 2 and 4 concurrent callers.
/// </summary>
[Description("Per-request latency percentiles, bundle load time and concurrent throughput of the engine.")]
internal sealed class EngineLatencyCommand : Command<EngineLatencyCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--requests <N>")]
        [Description("Requests per measurement.")]
        [DefaultValue(5000)]
        public int Requests { get; init; } = 5000;

        [CommandOption("--seconds <S>")]
        [Description("Seconds per throughput level.")]
        [DefaultValue(5.0)]
        public double Seconds { get; init; } = 5;

        [CommandOption("--bundle <DIR>")]
        [Description("A model bundle to measure (default: a synthetic 27,000-movie bundle of --hidden and --layers).")]
        public string? Bundle { get; init; }

        [CommandOption("--shape <NAME>")]
        [Description("Size of the synthetic bundle: ml-20m (27,000 movies, 138,000 users) or ml-32m (87,585 movies, 200,948 users).")]
        [DefaultValue("ml-20m")]
        public string Shape { get; init; } = "ml-20m";

        [CommandOption("--hidden <H>")]
        [Description("LSTM width of the synthetic bundle (default: the training default).")]
        public int? Hidden { get; init; }

        [CommandOption("--layers <L>")]
        [Description("LSTM layers of the synthetic bundle (default: the training default).")]
        public int? Layers { get; init; }

        public override ValidationResult Validate()
        {
            if (Requests < 1 || Hidden < 1 || Layers < 1)
            {
                return ValidationResult.Error("Options '--requests', '--hidden' and '--layers' must be at least 1.");
            }
            if (Shape is not ("ml-20m" or "ml-32m"))
            {
                return ValidationResult.Error($"Option '--shape' expects ml-20m or ml-32m, got '{Shape}'.");
            }
            if (Bundle is not null && (Hidden is not null || Layers is not null))
            {
                return ValidationResult.Error("Give --bundle or --hidden/--layers (a synthetic bundle), not both.");
            }
            return Seconds > 0 ? ValidationResult.Success() : ValidationResult.Error($"Option '--seconds' must be positive, got {Seconds}.");
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (requests, seconds, bundle) = (settings.Requests, settings.Seconds, settings.Bundle);
        var (hidden, layers) = (settings.Hidden ?? SyntheticBundle.DefaultHidden, settings.Layers ?? SyntheticBundle.DefaultLayers);
        var (movies, users) = settings.Shape == "ml-32m" ? (SyntheticBundle.Ml32MMovies, SyntheticBundle.Ml32MUsers) : (SyntheticBundle.Movies, SyntheticBundle.Users);
        var path = bundle ?? SyntheticBundle.Ensure(movies, users, hidden, layers, Console.WriteLine);
        var files = new DirectoryInfo(path).GetFiles("*", SearchOption.AllDirectories);
        Console.WriteLine($"Bundle: {path}: {files.Length} files, {files.Sum(file => file.Length) / 1e6:F1} MB; largest: " +
            string.Join(", ", files.OrderByDescending(file => file.Length).Take(4).Select(file => $"{file.Name} {file.Length / 1e6:F1} MB")));
        Console.WriteLine($"Processors: {Environment.ProcessorCount}; load average at start: {LoadAverage()}");

        var loadTimes = new List<double>();
        var engineLoadTimes = new List<double>();
        var onnxRuntimeEngineLoadTimes = new List<double>();
        var onnxRuntimeOnly = new RecommendationEngineOptions { UserVectorRuntime = UserVectorRuntimePreference.OnnxRuntime };
        for (var trial = 0; trial < 6; trial++)
        {
            var started = Stopwatch.GetTimestamp();
            ModelBundle.Load(path);
            loadTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            started = Stopwatch.GetTimestamp();
            using (RecommendationEngine.Load(path))
            {
                engineLoadTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            // Without compiling and verifying the user-vector graph, for what that adds to the load.
            started = Stopwatch.GetTimestamp();
            using (RecommendationEngine.Load(path, onnxRuntimeOnly))
            {
                onnxRuntimeEngineLoadTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        // The first trial reads from disk; the rest from the page cache.
        Console.WriteLine($"ModelBundle.Load:          first {loadTimes[0],7:F0} ms, median of the rest {Median(loadTimes.Skip(1)),7:F0} ms");
        Console.WriteLine($"RecommendationEngine.Load: first {engineLoadTimes[0],7:F0} ms, median of the rest {Median(engineLoadTimes.Skip(1)),7:F0} ms");
        Console.WriteLine($"  with ONNX Runtime only:  first {onnxRuntimeEngineLoadTimes[0],7:F0} ms, median of the rest {Median(onnxRuntimeEngineLoadTimes.Skip(1)),7:F0} ms");

        using var engine = RecommendationEngine.Load(path);
        var histories = SyntheticBundle.SessionHistories(engine, 256, SyntheticBundle.MaxHistory, seed: 5);
        var shortHistories = SyntheticBundle.SessionHistories(engine, 256, 10, seed: 6);
        var userIds = engine.Bundle.Content.UserIds;
        var genreFilter = new RecommendationOptions { Genres = ["Comedy", "Drama"] };

        Measure("RecommendForHistory, 50 movies, top 10", requests, i => engine.RecommendForHistory(histories[i & 255], 10));
        Measure("RecommendForHistory, 10 movies, top 10", requests, i => engine.RecommendForHistory(shortHistories[i & 255], 10));
        Measure("RecommendForUser, precomputed, top 10", requests, i => engine.RecommendForUser(userIds[(int)((long)i * 7919 % userIds.Length)], 10));
        Measure("RecommendForUser, live + genres, top 10", requests, i => engine.RecommendForUser(userIds[(int)((long)i * 7919 % userIds.Length)], 10, genreFilter));
        Measure("SimilarMovies, top 10", requests, i => engine.SimilarMovies(histories[0][i % 50], 10));

        using (var twoThreadEngine = new RecommendationEngine(engine.Bundle, new RecommendationEngineOptions { IntraOpThreads = 2, UserVectorRuntime = UserVectorRuntimePreference.OnnxRuntime }))
        {
            Measure("RecommendForHistory, 50 movies, 2 ORT threads", requests, i => twoThreadEngine.RecommendForHistory(histories[i & 255], 10));
        }
        ComparePlacement(engine, histories, requests);

        foreach (var callers in new[] { 1, 2, 4 })
        {
            var completed = 0L;
            var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            var started = Stopwatch.GetTimestamp();
            var threads = Enumerable.Range(0, callers).Select(caller => new Thread(() =>
            {
                for (var i = caller; Stopwatch.GetTimestamp() < deadline; i += callers)
                {
                    engine.RecommendForHistory(histories[i & 255], 10);
                    Interlocked.Increment(ref completed);
                }
            })).ToList();
            threads.ForEach(thread => thread.Start());
            threads.ForEach(thread => thread.Join());
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            Console.WriteLine($"Throughput, RecommendForHistory (50 movies), {callers} caller(s): {completed / elapsed,8:F0} requests/s");
        }
        Console.WriteLine($"Load average at end: {LoadAverage()}");
        return 0;
    }

    /// <summary>
    /// Scoring in C# (the engine) against scoring inside ONNX, interleaved request by request so that load from other
    /// processes affects both alike; the user vector alone is the common part (by ONNX Runtime and by the compiled graph,
    /// which the engine uses by default).
    /// </summary>
    private static void ComparePlacement(RecommendationEngine engine, int[][] histories, int requests)
    {
        var content = engine.Bundle.Content;
        var itemByMovieId = content.Movies.Select((movie, item) => (movie.MovieId, item)).ToDictionary(pair => pair.MovieId, pair => pair.item);
        var historyItems = histories.Select(history => history.Select(movieId => itemByMovieId[movieId]).ToArray()).ToArray();
        using var userVectorModel = new UserVectorModel(content.OnnxModel, content.Dim);
        var compileStarted = Stopwatch.GetTimestamp();
        if (!CompiledUserVectorGraph.TryCompile(content.OnnxModel, content.Dim, out var compiledGraph, out var refusal))
        {
            throw new InvalidOperationException($"The compiled user-vector graph refused the bundle's model: {refusal}");
        }
        Console.WriteLine($"CompiledUserVectorGraph.TryCompile: {Stopwatch.GetElapsedTime(compileStarted).TotalMilliseconds:F0} ms "
            + $"({compiledGraph.InputGateTableBytes / 1e6:F1} MB input-gate table); engine: {engine.UserVectorRuntime.Description}");
        using var inGraph = new InGraphScoringModel(content.OnnxModel, content.MovieTable, content.Dim, topCount: 10);
        var userVector = new float[content.Dim];
        (string Name, Action<int> Run)[] variants =
        [
            ("user vector only (ONNX)", i => userVectorModel.Compute(historyItems[i & 255], content.AnonymousVector, userVector)),
            ("user vector only (compiled)", i => compiledGraph.Compute(historyItems[i & 255], content.AnonymousVector, userVector)),
            ("user vector + C# scoring/top-k (engine)", i => engine.RecommendForHistory(histories[i & 255], 10)),
            ("user vector + MatMul/TopK in ONNX", i => inGraph.TopItems(historyItems[i & 255], content.AnonymousVector)),
        ];
        var times = variants.Select(_ => new double[requests]).ToArray();
        for (var i = -Math.Min(requests, 300); i < requests; i++)
        {
            for (var variant = 0; variant < variants.Length; variant++)
            {
                var started = Stopwatch.GetTimestamp();
                variants[variant].Run(i & int.MaxValue);
                if (i >= 0)
                {
                    times[variant][i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
                }
            }
        }
        Console.WriteLine("Scoring placement, 50-movie history, top 10, interleaved:");
        for (var variant = 0; variant < variants.Length; variant++)
        {
            Array.Sort(times[variant]);
            Console.WriteLine($"  {variants[variant].Name,-42} median {times[variant][requests / 2],8:F1} µs   p99 {times[variant][(int)(requests * 0.99)],8:F1} µs");
        }
    }

    private static void Measure(string name, int requests, Func<int, RecommendationResult> request)
    {
        // A full second of warm-up: tiered compilation recompiles hot methods with full optimisation only after
        // their first calls, in the background, and a serving process is past that point.
        var warmUpEnd = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        for (var i = 0; i < 500 || Stopwatch.GetTimestamp() < warmUpEnd; i++)
        {
            request(i);
        }
        var times = new double[requests];
        for (var i = 0; i < requests; i++)
        {
            var started = Stopwatch.GetTimestamp();
            request(i);
            times[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        }
        Array.Sort(times);
        Console.WriteLine($"{name,-42} median {times[requests / 2],8:F1} µs   p90 {times[(int)(requests * 0.90)],8:F1} µs   p99 {times[(int)(requests * 0.99)],8:F1} µs   max {times[^1],9:F1} µs");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
