using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Recommender.Model.Data;
using Recommender.Model.Evaluation;
using Recommender.Training.Trainers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Recommender.Benchmarks;

/// <summary>
/// train-epoch: trains gcn-lstm on an ML-20M-sized synthetic release (stratified split) for one epoch of each stage
/// (graph warm-up, unless --graph-warmup 0, then joint) and prints the seconds per epoch, the whole run's time and the
/// peak working set (target ≤ 12 GB). The step sizes are the ones <c>train</c> chooses (<see cref="StepSizing"/>,
/// within --memory-budget) unless --user-batch or --windows-per-step give them. A heartbeat line every 30 s shows progress.
/// </summary>
[Description("One epoch of gcn-lstm training per stage on an ML-20M-sized synthetic release: seconds and peak memory.")]
internal sealed class TrainEpochCommand : Command<TrainEpochCommand.Settings>
{
    public sealed class Settings : SyntheticReleaseSettings
    {
        [CommandOption("--user-batch <B>")]
        [Description("Users per step (graph and sequence steps alike); default: chosen from the data and the memory budget.")]
        public int? UserBatch { get; init; }

        [CommandOption("--windows-per-step <W>")]
        [Description("History windows per step; default: chosen from the data and the memory budget.")]
        public int? WindowsPerStep { get; init; }

        [CommandOption("--shape <NAME>")]
        [Description("ml-20m (--rows ratings in ML-20M's proportions) or ml-32m (32,000,204 ratings, 200,948 users, 87,585 movies).")]
        [DefaultValue("ml-20m")]
        public string Shape { get; init; } = "ml-20m";

        [CommandOption("--memory-budget-gb <GB>")]
        [Description("Memory budget the step sizes are chosen within (default: 12, the target).")]
        [DefaultValue(12.0)]
        public double MemoryBudgetGb { get; init; } = 12.0;

        [CommandOption("--graph-warmup <EPOCHS>")]
        [Description("Graph warm-up epochs: 1, or 0 to train only the joint stage.")]
        [DefaultValue(1)]
        public int GraphWarmup { get; init; } = 1;

        public override ValidationResult Validate()
        {
            if (UserBatch < 1 || WindowsPerStep < 1 || MemoryBudgetGb <= 0)
            {
                return ValidationResult.Error($"Options '--user-batch' and '--windows-per-step' must be at least 1 and '--memory-budget-gb' positive, got {UserBatch}, {WindowsPerStep} and {MemoryBudgetGb}.");
            }
            if (Shape is not ("ml-20m" or "ml-32m"))
            {
                return ValidationResult.Error($"Option '--shape' expects ml-20m or ml-32m, got '{Shape}'.");
            }
            return GraphWarmup < 0 ? ValidationResult.Error($"Option '--graph-warmup' must be at least 0, got {GraphWarmup}.") : base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (rows, userBatch, windowsPerStep, graphWarmupEpochs, threads, seed) =
            (settings.Rows, settings.UserBatch, settings.WindowsPerStep, settings.GraphWarmup, settings.Threads, settings.Seed);
        var shape = settings.Shape == "ml-32m" ? SyntheticReleaseCache.Ml32MShaped() : SyntheticReleaseCache.Ml20MShaped(rows);
        var folder = SyntheticReleaseCache.Ensure(shape with { Seed = seed }, Console.Out);
        var total = Stopwatch.StartNew();
        using var heartbeat = new Timer(_ => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  ... {total.Elapsed.TotalSeconds:F0} s, working set {Environment.WorkingSet / 1e9:F2} GB")), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));

        var dataset = MovieLensReader.Load(folder);
        Console.WriteLine($"Loaded {dataset.Interactions.Count:N0} interactions ({dataset.Users.Count:N0} users, {dataset.Items.Count:N0} movies) in {total.Elapsed.TotalSeconds:F1} s");
        var split = SplitProtocols.Create(SplitProtocols.Stratified).Split(dataset, seed);
        Console.WriteLine($"Split: train {split.Train.Count:N0}, validation {split.Validation.Count:N0}, test {split.Test.Count:N0} at {total.Elapsed.TotalSeconds:F1} s");

        var sized = StepSizing.For(split, new TrainingOptions(), (long)(settings.MemoryBudgetGb * 1e9));
        Console.WriteLine($"Step sizes chosen from the data: {sized}");
        var options = sized.ApplyTo(new TrainingOptions
        {
            Seed = seed,
            Threads = threads,
            MaxEpochs = 1,
            GraphWarmupEpochs = graphWarmupEpochs,
        });
        options = options with
        {
            UserBatchSize = userBatch ?? options.UserBatchSize,
            SequenceUserBatchSize = userBatch ?? options.SequenceUserBatchSize,
            MaxWindowsPerStep = windowsPerStep ?? options.MaxWindowsPerStep,
        };
        (userBatch, windowsPerStep) = (options.UserBatchSize, options.MaxWindowsPerStep);
        var progress = new SynchronousProgress<EpochReport>(report => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"epoch {report.Epoch} ({report.Stage}): {report.Seconds:F1} s, loss {report.Loss:F4}, validation ndcg@10 {report.ValidationNdcg:F4}")));
        var trainWatch = Stopwatch.StartNew();
        using var model = ModelTrainer.Train("gcn-lstm", split, options, progress);
        trainWatch.Stop();

        var peak = Process.GetCurrentProcess().PeakWorkingSet64;
        foreach (var epoch in model.History)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{epoch.Stage}: {epoch.Seconds:F1} s per epoch"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gcn-lstm on {split.Train.Count:N0} training interactions, {options.UserBatchSize} users per graph step, {options.SequenceUserBatchSize} users and {options.MaxWindowsPerStep} windows per sequence step, {threads} thread(s): training (both epochs, final tables, rating evaluation) {trainWatch.Elapsed.TotalSeconds:F1} s, whole run {total.Elapsed.TotalSeconds:F1} s, peak working set {peak / 1e9:F2} GB (budget {settings.MemoryBudgetGb:F1} GB)"));
        return peak <= settings.MemoryBudgetGb * 1e9 ? 0 : 1;
    }
}
