using System.Diagnostics;
using Azure;
using Microsoft.Extensions.Logging;
using Recommender.Model.Bundle;
using Recommender.Model.Data;
using Recommender.Model.Engine;
using Recommender.Model.Events;
using Recommender.Model.Evaluation;
using Recommender.Model.Storage;
using Recommender.Training.Export;
using Recommender.Training.Trainers;

namespace Recommender.Training.Retraining;

/// <summary>
/// One retraining: take the retrain lock, load the data set from Blob Storage, split it on the temporal protocol,
/// train gcn-lstm, export its bundle, evaluate it, popularity and the published model on the same test split, and
/// publish the bundle only when <see cref="QualityGate"/> accepts it (otherwise keep it under rejected/). Every step
/// is timed into the run record, which is saved as the run goes; a failed run leaves the published model as it was.
/// A publish is announced on the <see cref="ModelPublishedSignal"/>, when one is given, so that a serving side in this process loads it at once.
/// </summary>
public sealed partial class RetrainPipeline(RetrainStorage storage, RetrainOptions options, ILogger<RetrainPipeline> logger, ModelPublishedSignal? publishedSignal = null)
{
    public const string ModelName = "gcn-lstm";

    private static readonly TimeSpan SameRunLockGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SameRunLockPoll = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Takes the lock and saves the record in <see cref="RunStatus.Running"/>, or saves it as
    /// <see cref="RunStatus.Skipped"/> with the reason when another run holds the lock.
    /// </summary>
    /// <param name="runId">An existing record to carry on (the one a launcher wrote); a new record when null.</param>
    public async Task<RetrainStart> StartAsync(RunTrigger trigger, string? runId = null, CancellationToken cancellationToken = default)
    {
        var now = DateTimeOffset.UtcNow;
        var record = runId is null
            ? RunRecord.Start(trigger, now)
            : await storage.Runs.GetAsync(runId, cancellationToken).ConfigureAwait(false)
                ?? new RunRecord { RunId = runId, Trigger = trigger, StartedAt = now };
        if (record.Status is RunStatus.Running or RunStatus.Failed && record.Phases.Count > 0)
        {
            // An earlier execution of this run stopped (a retried job execution): this one carries the record on.
            record.StartNextAttempt();
        }
        var holder = $"run {record.RunId} ({record.Trigger})";
        var attempt = await storage.Lock.TryAcquireAsync(holder, options.LeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
        // A retried job execution of this run can start before the stopped execution's lease has expired: wait it out.
        var waitUntil = DateTimeOffset.UtcNow + options.LeaseDuration + SameRunLockGrace;
        while (attempt.Lease is null && attempt.Holder == holder && DateTimeOffset.UtcNow < waitUntil)
        {
            await Task.Delay(SameRunLockPoll, cancellationToken).ConfigureAwait(false);
            attempt = await storage.Lock.TryAcquireAsync(holder, options.LeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        if (attempt.Lease is not { } lease)
        {
            record.Status = RunStatus.Skipped;
            record.SkipReason = attempt.Reason;
            record.FinishedAt = DateTimeOffset.UtcNow;
            await storage.Runs.SaveAsync(record, cancellationToken).ConfigureAwait(false);
            LogSkipped(record.RunId, record.Trigger, attempt.Reason);
            return new RetrainStart(record, null);
        }
        try
        {
            record.Status = RunStatus.Running;
            await storage.Runs.SaveAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await lease.ReleaseAsync().ConfigureAwait(false);
            throw;
        }
        LogStarted(record.RunId, record.Trigger, Environment.ProcessId);
        return new RetrainStart(record, new RetrainRun(this, record, lease));
    }

    /// <summary><see cref="StartAsync"/>, then the whole run; returns the final record.</summary>
    public async Task<RunRecord> RunAsync(RunTrigger trigger, string? runId = null, CancellationToken cancellationToken = default)
    {
        var start = await StartAsync(trigger, runId, cancellationToken).ConfigureAwait(false);
        return start.Run is { } run ? await run.ExecuteAsync(cancellationToken).ConfigureAwait(false) : start.Record;
    }

    internal async Task<RunRecord> ExecuteAsync(RunRecord record, IRetrainLease lease, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.LostToken);
        var workFolder = Path.Combine(options.WorkFolder, record.RunId);
        var total = Stopwatch.StartNew();
        var phase = new PhaseTracker(record);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["RunId"] = record.RunId });
        try
        {
            await TrainEvaluateAndPublishAsync(record, phase, workFolder, stop.Token).ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException && lease.LostToken.IsCancellationRequested)
        {
            Fail(record, phase, $"The retrain lock was lost during '{phase.Current}', so the run stopped: {lease.LostReason}", error);
        }
        catch (Exception error) when (error is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            Fail(record, phase, $"The run was cancelled during '{phase.Current}' (the host is shutting down or the caller gave up).", error);
        }
        catch (IngestionException error)
        {
            Fail(record, phase, $"The data set at {storage.DataLocation} could not be loaded: {error.ProblemCount} problem(s).", error);
            record.Errors.AddRange(error.Problems.Select(problem => problem.ToString()));
        }
        catch (Exception error)
        {
            Fail(record, phase, $"'{phase.Current}' failed: {error.GetType().Name}: {error.Message}", error);
        }
        finally
        {
            record.FinishedAt = DateTimeOffset.UtcNow;
            try
            {
                // Saved before the lock is released, so the next holder sees this run's outcome.
                await storage.Runs.SaveAsync(record, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception error)
            {
                LogRecordNotSaved(record.RunId, record.Status, error);
            }
            if (record.Status is RunStatus.Succeeded or RunStatus.Rejected)
            {
                // A failed run keeps its checkpoint: a retried execution of it resumes there.
                await DeleteCheckpointQuietlyAsync(record.RunId).ConfigureAwait(false);
            }
            await lease.ReleaseAsync().ConfigureAwait(false);
            DeleteQuietly(workFolder);
        }
        LogFinished(record.RunId, record.Status, record.PublishedVersion ?? record.CandidateVersion, Math.Round(total.Elapsed.TotalSeconds, 3));
        return record;
    }

    private async Task TrainEvaluateAndPublishAsync(RunRecord record, PhaseTracker phase, string workFolder, CancellationToken cancellationToken)
    {
        var runId = record.RunId;
        DeleteQuietly(workFolder);
        Directory.CreateDirectory(workFolder);

        // latest.json as it is before training: the gate compares against it and publishing replaces exactly it.
        var published = await Timed(record, phase, "read-latest", () => storage.Models.GetLatestAsync(cancellationToken)).ConfigureAwait(false);

        var dataset = await Timed(record, phase, "ingest", async () =>
        {
            using var source = await storage.OpenDatasetAsync(cancellationToken).ConfigureAwait(false);
            return MovieLensReader.Load(source, IngestionOptions.Default);
        }).ConfigureAwait(false);
        var merge = await Timed(record, phase, "merge-events", async () =>
        {
            var events = new List<UserEvents>();
            await foreach (var user in storage.ReadEvents(cancellationToken).ConfigureAwait(false))
            {
                events.Add(user);
            }
            return ReleaseEventMerge.Merge(dataset, events);
        }).ConfigureAwait(false);
        dataset = merge.Dataset;
        record.Metrics["events.read"] = merge.Read;
        record.Metrics["events.used"] = merge.Used;
        record.Metrics["events.unknown_movies"] = merge.UnknownMovies;
        record.Metrics["events.superseded"] = merge.Superseded;
        record.Metrics["dataset.users"] = dataset.Users.Count;
        record.Metrics["dataset.movies"] = dataset.Items.Count;
        record.Metrics["dataset.interactions"] = dataset.Interactions.Count;

        var training = options.EffectiveTraining();
        var split = await Timed(record, phase, "split", () => Task.FromResult(
            SplitProtocols.Create(SplitProtocols.Temporal, new SplitOptions { K = options.K }).Split(dataset, training.Seed))).ConfigureAwait(false);
        record.Metrics["split.train"] = split.Train.Count;
        record.Metrics["split.validation"] = split.Validation.Count;
        record.Metrics["split.test"] = split.Test.Count;

        var sizing = StepSizing.For(split, training, options.MemoryBudgetBytes ?? StepSizing.DefaultBudgetBytes());
        training = sizing.ApplyTo(training);
        record.Metrics["train.user_batch"] = sizing.UserBatchSize;
        record.Metrics["train.sequence_user_batch"] = sizing.SequenceUserBatchSize;
        record.Metrics["train.windows_per_step"] = sizing.MaxWindowsPerStep;
        record.Metrics["train.memory_budget_gb"] = Math.Round(sizing.BudgetBytes / 1e9, 2);
        LogSizing(runId, sizing.ToString());
        var checkpoint = await Timed(record, phase, "read-checkpoint", () => ReadCheckpointAsync(record, dataset, training, workFolder, cancellationToken))
            .ConfigureAwait(false);
        var progress = new EpochProgress(this, storage, record, checkpoint, training.EpochCap(ModelName));
        var trained = await Timed(record, phase, "train", () => Task.Run(() => ModelTrainer.Train(
            ModelName, split, training, progress, cancellationToken, checkpoint,
            resumedFrom: epoch =>
            {
                record.Metrics["train.resumed_after_epoch"] = epoch;
                LogResumed(runId, epoch);
            }), cancellationToken)).ConfigureAwait(false);
        var bundleFolder = Path.Combine(workFolder, "candidate");
        string version;
        using (trained)
        {
            record.Metrics["train.best_epoch"] = trained.BestEpoch;
            record.Metrics["train.epochs"] = trained.History.Count;
            version = await Timed(record, phase, "export", () => Task.FromResult(ModelBundleExporter.Export(trained, split, bundleFolder).ModelVersion)).ConfigureAwait(false);
        }
        record.CandidateVersion = version;

        var ndcg = MetricNames.Ndcg(options.K);
        var evaluator = new RankingEvaluator();
        double? publishedNdcg = null;
        await Timed(record, phase, "evaluate", async () =>
        {
            RankingMetricsSummary candidateMetrics;
            using (var candidate = RecommendationEngine.Load(bundleFolder))
            {
                candidateMetrics = evaluator.Evaluate(split, EvaluationTarget.Test, new BundleScorer(candidate, split, options.K), options.K).Metrics;
            }
            AddMetrics(record, "candidate", candidateMetrics);
            BundleWriter.ReplaceMetrics(bundleFolder, candidateMetrics.Named().ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal));
            AddMetrics(record, "popularity", evaluator.Evaluate(split, EvaluationTarget.Test, PopularityRecommender.Fit(split), options.K));
            if (published is not null)
            {
                publishedNdcg = await EvaluatePublishedAsync(record, published, split, evaluator, Path.Combine(workFolder, "published"), cancellationToken).ConfigureAwait(false);
            }
            return true;
        }).ConfigureAwait(false);

        var decision = QualityGate.Decide(record.Metrics["candidate." + ndcg], record.Metrics["popularity." + ndcg], publishedNdcg, options.QualityGateMargin, options.K);
        record.Gate = decision;
        LogGate(runId, version, decision.Accepted, decision.Reason);

        if (decision.Accepted)
        {
            var result = await Timed(record, phase, "publish", () => storage.Models.PublishAsync(bundleFolder, version, published, cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            record.PublishedVersion = result.Latest.Version;
            record.Status = RunStatus.Succeeded;
            NotePrune(record, result.PrunedVersions, result.PruneError);
            LogPublished(runId, version, result.FileCount, result.Bytes, result.PrunedVersions.Count);
            publishedSignal?.Notify(result.Latest);
        }
        else
        {
            var stored = await Timed(record, phase, "store-rejected", () => storage.Models.StoreRejectedAsync(bundleFolder, version, cancellationToken))
                .ConfigureAwait(false);
            record.Status = RunStatus.Rejected;
            NotePrune(record, stored.PrunedVersions, stored.PruneError);
            LogStoredRejected(runId, version, stored.Container, stored.Prefix);
        }
    }

    /// <summary>The published model's ndcg@k on the split; null (with the reason in the record) when its bundle is unusable.</summary>
    private async Task<double?> EvaluatePublishedAsync(RunRecord record, LatestModel published, DataSplit split, RankingEvaluator evaluator, string folder, CancellationToken cancellationToken)
    {
        try
        {
            var downloaded = await storage.Models.DownloadAsync(published.Version, folder, cancellationToken).ConfigureAwait(false);
            using var engine = RecommendationEngine.Load(downloaded.Folder);
            var result = evaluator.Evaluate(split, EvaluationTarget.Test, new BundleScorer(engine, split, options.K), options.K);
            AddMetrics(record, "published", result.Metrics);
            return result.Metrics.Ndcg;
        }
        catch (Exception error) when (error is ModelStorageException or BundleValidationException)
        {
            // A damaged published bundle must not block every later model: the gate then compares with popularity only.
            var note = $"The published model '{published.Version}' could not be evaluated, so the gate compared with popularity only: {error.Message}";
            record.Errors.Add(note);
            LogPublishedUnusable(record.RunId, published.Version, error);
            return null;
        }
    }

    private static void AddMetrics(RunRecord record, string model, Model.Evaluation.RankingResult result) => AddMetrics(record, model, result.Metrics);

    private static void AddMetrics(RunRecord record, string model, RankingMetricsSummary metrics)
    {
        foreach (var (name, value) in metrics.Named())
        {
            record.Metrics[$"{model}.{name}"] = value;
        }
    }

    private static void NotePrune(RunRecord record, IReadOnlyList<string> pruned, string? pruneError)
    {
        record.Metrics["prune.deleted"] = pruned.Count;
        if (pruneError is not null)
        {
            record.Errors.Add($"Pruning old versions failed (the run's own result stands): {pruneError}");
        }
    }

    private async Task<T> Timed<T>(RunRecord record, PhaseTracker phase, string name, Func<Task<T>> work)
    {
        phase.Current = name;
        var watch = Stopwatch.StartNew();
        var result = await work().ConfigureAwait(false);
        var seconds = Math.Round(watch.Elapsed.TotalSeconds, 3);
        record.Phases.Add(new PhaseTiming(name, seconds));
        LogPhase(record.RunId, name, seconds);
        await storage.Runs.SaveAsync(record).ConfigureAwait(false);
        return result;
    }

    private void Fail(RunRecord record, PhaseTracker phase, string message, Exception error)
    {
        record.Status = RunStatus.Failed;
        record.Errors.Insert(0, message);
        LogFailed(record.RunId, phase.Current, message, error);
    }

    private static void DeleteQuietly(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // Scratch space; the next run with this id (none) or the OS cleans it.
        }
    }

    private sealed class PhaseTracker(RunRecord record)
    {
        public string Current { get; set; } = record.Phases.Count == 0 ? "start" : record.Phases[^1].Name;
    }

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Retrain run {RunId}: resuming training after epoch {Epoch} from the run's checkpoint")]
    private partial void LogResumed(string runId, int epoch);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Retrain run {RunId}: the run's checkpoint was not resumed: {Reason}")]
    private partial void LogCheckpointNotResumed(string runId, string reason);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Retrain run {RunId}: the progress or checkpoint of epoch {Epoch} could not be saved; training goes on")]
    private partial void LogProgressNotSaved(string runId, int epoch, Exception error);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "Retrain run {RunId}: its checkpoint could not be deleted from the runs container")]
    private partial void LogCheckpointNotDeleted(string runId, Exception error);

    [LoggerMessage(EventId = 16, Level = LogLevel.Information, Message = "Retrain run {RunId}: step sizes: {Sizing}")]
    private partial void LogSizing(string runId, string sizing);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Retrain run {RunId} ({Trigger}) started in process {ProcessId}")]
    private partial void LogStarted(string runId, RunTrigger trigger, int processId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Retrain run {RunId} ({Trigger}) skipped: {Reason}")]
    private partial void LogSkipped(string runId, RunTrigger trigger, string? reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Retrain run {RunId}: phase {Phase} took {DurationSeconds} s")]
    private partial void LogPhase(string runId, string phase, double durationSeconds);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Retrain run {RunId}: epoch {Epoch} ({Stage}) loss {Loss}, validation ndcg@10 {ValidationNdcg}, {DurationSeconds} s")]
    private partial void LogEpoch(string runId, int epoch, TrainingStage stage, double loss, double validationNdcg, double durationSeconds);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Retrain run {RunId}: gate on version {Version}: accepted {Accepted}. {Reason}")]
    private partial void LogGate(string runId, string version, bool accepted, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Retrain run {RunId}: published version {Version} ({FileCount} files, {Bytes} bytes); pruned {PrunedCount} old versions")]
    private partial void LogPublished(string runId, string version, int fileCount, long bytes, int prunedCount);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Retrain run {RunId}: version {Version} rejected, kept in container {Container} under {Prefix}")]
    private partial void LogStoredRejected(string runId, string version, string container, string prefix);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "Retrain run {RunId} failed in phase {Phase}: {Reason}")]
    private partial void LogFailed(string runId, string phase, string reason, Exception error);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Retrain run {RunId} finished: {Status}, version {Version}, {DurationSeconds} s")]
    private partial void LogFinished(string runId, RunStatus status, string? version, double durationSeconds);

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "Retrain run {RunId}: the final run record ({Status}) could not be saved")]
    private partial void LogRecordNotSaved(string runId, RunStatus status, Exception error);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Retrain run {RunId}: the published version {Version} could not be evaluated; the gate compares with popularity only")]
    private partial void LogPublishedUnusable(string runId, string version, Exception error);
}

/// <summary>The outcome of <see cref="RetrainPipeline.StartAsync"/>: the saved record, and the run to execute when the lock was taken.</summary>
public sealed record RetrainStart(RunRecord Record, RetrainRun? Run)
{
    public bool Skipped => Run is null;
}

/// <summary>A run that holds the retrain lock; <see cref="ExecuteAsync"/> does the work and releases the lock.</summary>
public sealed class RetrainRun
{
    private readonly RetrainPipeline _pipeline;
    private readonly RunRecord _record;
    private readonly IRetrainLease _lease;
    private int _executed;

    internal RetrainRun(RetrainPipeline pipeline, RunRecord record, IRetrainLease lease)
    {
        _pipeline = pipeline;
        _record = record;
        _lease = lease;
    }

    public string RunId => _record.RunId;

    /// <summary>Trains, evaluates, gates and publishes; returns the final record (also saved). Call once.</summary>
    public Task<RunRecord> ExecuteAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _executed, 1) == 1)
        {
            throw new InvalidOperationException($"Run {RunId} was executed already.");
        }
        return _pipeline.ExecuteAsync(_record, _lease, cancellationToken);
    }
}
