using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Recommender.Model.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Recommender.Benchmarks;

/// <summary>
/// parse: loads an ML-20M-sized synthetic release --runs times and prints the median rows/s, the managed bytes per
/// interaction held by the loaded data set, and the peak working set.
/// </summary>
[Description("Ingestion throughput and memory on an ML-20M-sized synthetic release.")]
internal sealed class ParseCommand : Command<ParseCommand.Settings>
{
    public sealed class Settings : SyntheticReleaseSettings
    {
        [CommandOption("--runs <K>")]
        [Description("Loads to measure.")]
        [DefaultValue(5)]
        public int Runs { get; init; } = 5;

        public override ValidationResult Validate() =>
            Runs < 1 ? ValidationResult.Error($"Option '--runs' must be at least 1, got {Runs}.") : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (rows, runs, threads, seed) = (settings.Rows, settings.Runs, settings.Threads, settings.Seed);
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
