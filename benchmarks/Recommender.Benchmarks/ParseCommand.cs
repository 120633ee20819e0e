using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Recommender.Model.Data;

namespace Recommender.Benchmarks;

/// <summary>
/// parse [--rows N] [--runs K] [--threads T] [--seed S]: loads an ML-20M-sized synthetic release K times and prints
/// the median rows/s, the managed bytes per interaction held by the loaded data set, and the peak working set.
/// </summary>
internal static class ParseCommand
{
    public static int Run(string[] args)
    {
        int rows, runs, threads, seed;
        try
        {
            var arguments = BenchmarkArguments.Parse(args, ["rows", "runs", "threads", "seed"]);
            rows = arguments.Int32("rows", 20_000_263, minimum: 1);
            runs = arguments.Int32("runs", 5, minimum: 1);
            threads = arguments.Int32("threads", Environment.ProcessorCount, minimum: 1);
            seed = arguments.Int32("seed", 42);
        }
        catch (ArgumentException error)
        {
            Console.Error.WriteLine(error.Message);
            Console.Error.WriteLine("Usage: parse [--rows N (positive)] [--runs K (positive)] [--threads T (positive)] [--seed S]");
            return 2;
        }

        var folder = SyntheticReleaseCache.Ensure(SyntheticReleaseCache.Ml20MShaped(rows) with { Seed = seed }, Console.Out);
        var ratingsBytes = new FileInfo(Path.Combine(folder, "ratings.csv")).Length;
        var options = new IngestionOptions { MaxDegreeOfParallelism = threads };
        Console.WriteLine($"ratings.csv: {ratingsBytes / 1e6:F1} MB; {runs} loads with {threads} parsing thread(s), server GC {System.Runtime.GCSettings.IsServerGC}");

        var rowsPerSecond = new List<double>();
        var bytesPerInteraction = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            var load = MeasureLoad(folder, options, printSummary: run == runs);
            rowsPerSecond.Add(load.RowsRead / load.Wall.TotalSeconds);
            bytesPerInteraction.Add(load.HeldBytes / (double)load.Interactions);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {run}: {load.Wall.TotalSeconds:F3} s wall, {load.Cpu.TotalSeconds:F3} s CPU, {rowsPerSecond[^1] / 1e6:F2} M rows/s, {ratingsBytes / 1e6 / load.Wall.TotalSeconds:F0} MB/s, {load.Interactions:N0} interactions, {bytesPerInteraction[^1]:F2} bytes/interaction held"));
        }

        var peakWorkingSet = Process.GetCurrentProcess().PeakWorkingSet64;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median: {Median(rowsPerSecond) / 1e6:F2} M rows/s (target >= 4), {Median(bytesPerInteraction):F2} bytes/interaction held (target <= 40), peak working set {peakWorkingSet / 1e6:F0} MB"));
        return 0;
    }

    private sealed record LoadMeasurement(TimeSpan Wall, TimeSpan Cpu, long RowsRead, int Interactions, long HeldBytes);

    /// <summary>
    /// One load between two full collections; the data set is alive at the second and unreachable once this returns,
    /// so the next measurement does not count it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static LoadMeasurement MeasureLoad(string folder, IngestionOptions options, bool printSummary)
    {
        var process = Process.GetCurrentProcess();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var dataset = MovieLensReader.Load(folder, options);
        watch.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        if (printSummary)
        {
            Console.WriteLine(DatasetSummary.Create(dataset));
        }
        GC.KeepAlive(dataset);
        return new LoadMeasurement(watch.Elapsed, cpu, dataset.Report.RowsRead, dataset.Interactions.Count, after - before);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
