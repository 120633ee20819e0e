using System.Diagnostics;
using Recommender.Model.Evaluation;
using Recommender.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Trainers;

/// <summary>
/// Trains SASRec (Kang &amp; McAuley 2018), the self-attentive sequence baseline: each user's time-ordered training
/// history is cut into windows of at most L inputs aligned to its end, and every position of every window learns
/// the next item by cross-entropy over the whole catalogue (RecBole's CE loss). Adam; early stopping on validation
/// ndcg@10 (validation users scored from their last L training items), keeping the best epoch's weights.
/// </summary>
public static class SasRecTrainer
{
    private const int ValidationK = 10;
    private const long IgnoredTarget = -100;

    public static SasRecModel Train(DataSplit split, TrainingOptions options, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default) =>
        Train(split, options, new SasRecOptions(), progress, cancellationToken);

    /// <summary>
    /// Trains on <paramref name="split"/>.Train; the model scores users from Train ∪ Validation. Shares
    /// <see cref="ModelTrainer"/>'s gate, so the same seed, options and split give the same weights.
    /// </summary>
    public static SasRecModel Train(
        DataSplit split,
        TrainingOptions options,
        SasRecOptions sasRec,
        IProgress<EpochReport>? progress = null,
        CancellationToken cancellationToken = default)
    {
        options.Validate();
        sasRec.Validate();
        if (split.Train.Count == 0)
        {
            throw new ArgumentException("The split's training table is empty.", nameof(split));
        }
        lock (ModelTrainer.TrainingGate)
        {
            var watch = Stopwatch.StartNew();
            var device = TorchRuntime.Initialize(options);
            var network = new SasRecNetwork(
                split.Train.ItemCount, options.MaxHistory, sasRec.Blocks, sasRec.Heads, sasRec.Hidden, sasRec.Inner, sasRec.HiddenDropout, sasRec.AttentionDropout);
            try
            {
                network.to(device);
                var (history, bestEpoch) = Fit(network, device, split, options, sasRec, progress, cancellationToken);
                return new SasRecModel(network, device, split, history, bestEpoch) { TrainSeconds = watch.Elapsed.TotalSeconds };
            }
            catch
            {
                network.Dispose();
                throw;
            }
        }
    }

    private static (List<EpochReport> History, int BestEpoch) Fit(
        SasRecNetwork network,
        Device device,
        DataSplit split,
        TrainingOptions options,
        SasRecOptions sasRec,
        IProgress<EpochReport>? progress,
        CancellationToken cancellationToken)
    {
        var random = new Random(options.Seed);
        var histories = UserHistories.Build(split.Train);
        var windows = Windows(histories, options.MaxHistory);
        var trainItems = UserItemLists.Build(split.Train);
        var validationItems = UserItemLists.Build(split.Validation);
        var validationUsers = RankingProbe.ValidationUsers(validationItems, options);
        var popularity = new float[split.Train.ItemCount];
        PopularityRecommender.Fit(split.Train).ScoreHistory([], popularity);
        using var optimizer = optim.Adam(network.parameters(), sasRec.LearningRate);
        using var sampledSoftmax = split.Train.ItemCount > sasRec.FullSoftmaxMaxItems
            ? new SampledSoftmax(split.Train, options.SampledNegatives, options.NegativeSamplingExponent, device)
            : null;

        var history = new List<EpochReport>();
        using var stopping = new EarlyStopping(network, firstEpoch: 1, options.MinEpochs, options.Patience);
        for (var epoch = 1; epoch <= options.MaxEpochs; epoch++)
        {
            var watch = Stopwatch.StartNew();
            network.train();
            random.Shuffle(windows);
            double lossSum = 0;
            var steps = 0;
            for (var start = 0; start < windows.Length; start += sasRec.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var batch = windows.AsSpan(start, Math.Min(sasRec.BatchSize, windows.Length - start));
                var loss = NextItemLoss(network, device, histories, batch, sampledSoftmax);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                lossSum += loss.item<float>();
                steps++;
            }
            var ndcg = validationUsers.Length > 0 ? ValidationNdcg(network, device, histories, popularity, trainItems, validationItems, validationUsers) : double.NaN;
            var meanLoss = steps == 0 ? 0 : lossSum / steps;
            var report = new EpochReport(epoch, meanLoss, meanLoss, 0, ndcg, watch.Elapsed.TotalSeconds);
            history.Add(report);
            progress?.Report(report);
            if (stopping.Observe(epoch, ndcg))
            {
                break;
            }
        }
        stopping.RestoreBest();
        network.eval();
        return (history, stopping.BestEpoch);
    }

    /// <summary>
    /// Mean cross-entropy of the next item at every valid position of the windows' right-padded batch: over the full
    /// catalogue, or estimated by <paramref name="sampledSoftmax"/> when given.
    /// </summary>
    private static Tensor NextItemLoss(SasRecNetwork network, Device device, UserHistories histories, ReadOnlySpan<Window> batch, SampledSoftmax? sampledSoftmax)
    {
        var width = 0;
        foreach (var window in batch)
        {
            width = Math.Max(width, window.Length);
        }
        var inputs = new long[batch.Length * width];
        Array.Fill(inputs, network.ItemCount);
        var targets = new long[batch.Length * width];
        Array.Fill(targets, IgnoredTarget);
        var items = histories.Items;
        for (var b = 0; b < batch.Length; b++)
        {
            var window = batch[b];
            for (var t = 0; t < window.Length; t++)
            {
                inputs[b * width + t] = items[window.Start + t];
                targets[b * width + t] = items[window.Start + t + 1];
            }
        }
        var states = network.Encode(tensor(inputs, [batch.Length, width], device: device));
        if (sampledSoftmax is not null)
        {
            var valid = targets.Select((target, position) => (target, position)).Where(pair => pair.target != IgnoredTarget).ToArray();
            var vectors = states.view(-1, states.shape[2]).index_select(0, tensor(valid.Select(pair => (long)pair.position).ToArray(), device: device));
            return sampledSoftmax.Loss(vectors, network.ItemTable, tensor(valid.Select(pair => pair.target).ToArray(), device: device));
        }
        var logits = states.view(-1, states.shape[2]).mm(network.ItemTable.t());
        return nn.functional.cross_entropy(logits, tensor(targets, device: device), ignore_index: IgnoredTarget);
    }

    private static double ValidationNdcg(
        SasRecNetwork network,
        Device device,
        UserHistories histories,
        float[] popularity,
        UserItemLists trainItems,
        UserItemLists validationItems,
        int[] users)
    {
        network.eval();
        try
        {
            using var scorer = new SasRecUserScorer(network, device, users, histories, popularity);
            return RankingProbe.ValidationNdcg(scorer, trainItems, validationItems, users, ValidationK);
        }
        finally
        {
            network.train();
        }
    }

    /// <summary>
    /// Windows of at most L inputs over each user's history, aligned to its end: the inputs of the final window are
    /// the user's last L items but one, each targeting the item after it; earlier windows end where the next begins.
    /// </summary>
    private static Window[] Windows(UserHistories histories, int maxLength)
    {
        var windows = new List<Window>();
        for (var user = 0; user < histories.UserCount; user++)
        {
            var offset = histories.Offsets[user];
            var end = offset + histories.Length(user) - 1;
            while (end > offset)
            {
                var start = Math.Max(offset, end - maxLength);
                windows.Add(new Window(start, end - start));
                end = start;
            }
        }
        return [.. windows];
    }

    /// <summary>Inputs at positions [Start, Start + Length) of <see cref="UserHistories.Items"/>, targets one later.</summary>
    private readonly record struct Window(int Start, int Length);
}
