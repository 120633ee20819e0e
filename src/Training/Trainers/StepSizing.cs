using System.Globalization;
using Recommender.Model.Evaluation;

namespace Recommender.Training.Trainers;

/// <summary>
/// Step sizes chosen from the data and a memory budget. Every step propagates the whole graph, so a large data set
/// wants few, large steps; the defaults (<see cref="TrainingOptions"/>: 64 users, 16 while the sequence trains, 2,048
/// windows) were chosen for quality on 100K-scale data and stay wherever they give few enough steps. Above that, graph
/// steps grow until an epoch has about <see cref="GraphTargetSteps"/> of them, and sequence steps (users and windows)
/// until it has about <see cref="SequenceTargetSteps"/>, as far as the memory budget allows.
/// </summary>
/// <remarks>
/// The memory model is calibrated on measured peaks (ML-20M shape, 13.5 M training interactions, 27,278 movies): with
/// 8,192 users, 4,096 windows a step peaked at 10.8 GB and 8,192 windows at 14.2 GB, so a window of L = 50 with 512
/// sampled negatives costs about 0.83 MB; 2,164 users and 6,383 windows peaked at 12.5 GB, which leaves about 540 bytes
/// per training interaction for the rest (tables, split, graph, histories, model and Adam). The per-user softmax over
/// the catalogue in a graph step is taken as 24 bytes per movie. The steps are sized within
/// <see cref="EstimateShare"/> of the budget: at ML-32M shape (21.6 M training interactions, 82,555 movies, 16 GB) the
/// model underestimated the peak by 0.6% (16.10 GB measured for 16.0 estimated). Those peaks were measured with glibc
/// unmapping freed blocks; now that it keeps them for the next step (<see cref="Native.NativeEnvironment"/>), a step
/// counts <see cref="KeptStepFactor"/> times.
/// </remarks>
public sealed record StepSizing(int UserBatchSize, int SequenceUserBatchSize, int MaxWindowsPerStep, long BudgetBytes, long EstimatedPeakBytes, string Reason)
{
    /// <summary>
    /// <see cref="TrainingOptions.GraphRefreshSteps"/> once the steps grew: gcn-lstm's joint stage propagates over the
    /// graph every 4th step. On ml-100k (leave-one-out, seed 13) that scored ndcg@10 0.0940 against 0.0947 with every step.
    /// </summary>
    public const int GrownGraphRefreshSteps = 4;

    /// <summary>Whether the steps grew past the defaults (the data is larger than 100K scale).</summary>
    public bool Grown { get; init; }

    /// <summary>The working set the steps keep under (<see cref="TrainingOptions.WorkingSetLimitBytes"/>): the budget's estimate share.</summary>
    public long WorkingSetLimitBytes => (long)(BudgetBytes * EstimateShare);

    /// <summary>Graph-only steps per epoch (lightgcn, gcn-lstm's warm-up) above which they grow.</summary>
    public const int GraphTargetSteps = 16;

    /// <summary>Sequence steps per epoch above which they grow.</summary>
    public const int SequenceTargetSteps = 64;

    private const double SoftmaxBytesPerUserMovie = 24;
    private const double WindowBytes = 830_000;
    private const double FixedBytesPerInteraction = 540;

    /// <summary>
    /// A step's memory counts twice: freed step memory stays in the process for the next step, and a step's blocks do not
    /// always fit the holes the last one left. ML-20M shape, 12 GB budget: at the single count's sizes (6,277 users a
    /// graph step; 1,569 users and 3,713 windows a sequence step) the kept memory grew to 16.5 GB within the joint epoch,
    /// and handing it back near the budget (34 times) made the epoch 406.8 s; at the double count's (3,138; 784 and
    /// 1,856) it held at 7–10 GB, peak 7.89 GB, joint epoch 225.5 s (README, "ML-20M-sized training"). Counting graph-only
    /// steps once (6,277 users a warm-up step, the sequence steps as now) was measured back to back and is slower: warm-up
    /// 123.8 against 120.2 s, joint epoch 297.5 against 248.2 s, peak 9.68 against 7.85 GB.
    /// </summary>
    private const double KeptStepFactor = 2;

    /// <summary>The share of the budget the estimated peak may reach; the rest absorbs the memory model's error.</summary>
    private const double EstimateShare = 0.95;

    /// <summary>The joint step's share of the step budget for the sequence windows (the rest: the users' graph loss).</summary>
    private const double WindowShare = 0.75;

    /// <summary>The default budget: 80% of the memory this process may use (the container's limit when it has one).</summary>
    public static long DefaultBudgetBytes() => (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 0.8);

    /// <summary>Sizes for training on <paramref name="split"/> within <paramref name="budgetBytes"/>.</summary>
    /// <exception cref="InvalidOperationException">Even small steps would not fit the budget (the message says how much they need).</exception>
    public static StepSizing For(DataSplit split, TrainingOptions options, long budgetBytes) =>
        For(split.Train.UserCount, split.Train.ItemCount, split.Train.Count, options, budgetBytes);

    /// <summary>Sizes for training on <paramref name="interactions"/> of <paramref name="userCount"/> users and <paramref name="movieCount"/> movies.</summary>
    /// <exception cref="InvalidOperationException">Even small steps would not fit the budget (the message says how much they need).</exception>
    public static StepSizing For(int userCount, int movieCount, long interactions, TrainingOptions options, long budgetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budgetBytes, 1, nameof(budgetBytes));
        var users = Math.Max(1, userCount);
        var windows = (long)Math.Ceiling(interactions / (double)options.MaxHistory) + users;
        var fixedBytes = (long)(interactions * FixedBytesPerInteraction);
        var perUser = movieCount * SoftmaxBytesPerUserMovie * KeptStepFactor;
        // A window's activations scale with L and with the LSTM width plus the sampled logits (calibrated at 64 + 512 / 8).
        var perWindow = WindowBytes * options.MaxHistory / 50.0 * (options.Hidden + options.SampledNegatives / 8.0) / 128.0 * KeptStepFactor;
        var stepBudget = Math.Max(0, budgetBytes * EstimateShare - fixedBytes);

        var sequenceDefault = options.SequenceUserBatchSize ?? options.UserBatchSize;
        var wantUsers = Math.Max(options.UserBatchSize, CeilDiv(users, GraphTargetSteps));
        var wantSequenceUsers = Math.Max(sequenceDefault, CeilDiv(users, SequenceTargetSteps));
        var wantWindows = Math.Max(options.MaxWindowsPerStep, CeilDiv(windows, SequenceTargetSteps));
        var userBatch = (int)Math.Min(wantUsers, stepBudget / perUser);
        var windowBatch = (int)Math.Min(wantWindows, stepBudget * WindowShare / perWindow);
        var sequenceUsers = (int)Math.Min(wantSequenceUsers, stepBudget * (1 - WindowShare) / perUser);
        var smallest = Math.Min(users, 16);
        if (userBatch < smallest || sequenceUsers < smallest || windowBatch < smallest)
        {
            var needed = (long)((fixedBytes + smallest * (perUser + perWindow)) / EstimateShare);
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The memory budget of {budgetBytes / 1e9:F2} GB is too small for {interactions:N0} training interactions over {movieCount:N0} movies: even {smallest} users and windows per step need about {needed / 1e9:F2} GB (raise --memory-budget)."));
        }
        var peak = fixedBytes + (long)Math.Max(userBatch * perUser, sequenceUsers * perUser + windowBatch * perWindow);
        var reason = (userBatch, sequenceUsers, windowBatch) == (options.UserBatchSize, sequenceDefault, options.MaxWindowsPerStep)
            ? "the defaults, made for 100K-scale data"
            : userBatch < wantUsers || sequenceUsers < wantSequenceUsers || windowBatch < wantWindows
                ? "grown with the data, limited by the memory budget"
                : string.Create(CultureInfo.InvariantCulture, $"grown with the data: about {GraphTargetSteps} graph and {SequenceTargetSteps} sequence steps an epoch over {users:N0} users and {windows:N0} history windows");
        var grown = userBatch > options.UserBatchSize || sequenceUsers > sequenceDefault || windowBatch > options.MaxWindowsPerStep;
        return new StepSizing(userBatch, sequenceUsers, windowBatch, budgetBytes, peak, reason) { Grown = grown };
    }

    /// <summary>
    /// The options with these step sizes; once the steps grew, lstm alone steps with the sequence users and the joint
    /// stage propagates every <see cref="GrownGraphRefreshSteps"/> steps.
    /// </summary>
    public TrainingOptions ApplyTo(TrainingOptions options) => options with
    {
        UserBatchSize = UserBatchSize,
        SequenceUserBatchSize = SequenceUserBatchSize,
        LstmUserBatchSize = Grown && options.LstmUserBatchSize is { } lstm ? Math.Max(lstm, SequenceUserBatchSize) : options.LstmUserBatchSize,
        MaxWindowsPerStep = MaxWindowsPerStep,
        GraphRefreshSteps = Grown ? Math.Max(options.GraphRefreshSteps, GrownGraphRefreshSteps) : options.GraphRefreshSteps,
        WorkingSetLimitBytes = WorkingSetLimitBytes,
    };

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{UserBatchSize:N0} users per graph step; {SequenceUserBatchSize:N0} users and at most {MaxWindowsPerStep:N0} history windows per sequence step{(Grown ? $", the graph propagated every {GrownGraphRefreshSteps} sequence steps" : "")}; estimated peak {EstimatedPeakBytes / 1e9:F1} GB of a {BudgetBytes / 1e9:F1} GB memory budget ({Reason}); freed memory handed back to stay under {WorkingSetLimitBytes / 1e9:F1} GB");

    private static int CeilDiv(long value, int divisor) => (int)Math.Min(int.MaxValue, (value + divisor - 1) / divisor);
}
