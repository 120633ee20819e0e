using System.Globalization;
using System.Security.Cryptography;

namespace Recommender.Model.Storage;

/// <summary>What started a retraining run.</summary>
public enum RunTrigger
{
    Timer,
    Http,
    Cli,
}

public enum RunStatus
{
    Running,
    Succeeded,

    /// <summary>Trained, but the gate kept the published model.</summary>
    Rejected,

    Failed,

    /// <summary>Not run, for example because another retraining held the lock.</summary>
    Skipped,

    /// <summary>Handed to the Container Apps job, which takes the lock and carries the record on.</summary>
    Launched,
}

/// <summary>How long one phase of the run took (ingest, train, evaluate, export, publish, ...).</summary>
public sealed record PhaseTiming(string Name, double Seconds);

/// <summary>
/// Where a run's training stands, updated after every epoch. <see cref="EtaSeconds"/> assumes every remaining epoch up
/// to the stages' caps runs at the mean epoch time so far: early stopping usually ends training sooner.
/// </summary>
public sealed record TrainingProgress(string Stage, int Epoch, int MaxEpochs, double ElapsedSeconds, double EtaSeconds, DateTimeOffset UpdatedAt)
{
    /// <summary>The progress after <paramref name="epoch"/> of at most <paramref name="maxEpochs"/>, <paramref name="elapsed"/> into training.</summary>
    public static TrainingProgress After(string stage, int epoch, int maxEpochs, TimeSpan elapsed, int epochsThisProcess, DateTimeOffset now)
    {
        var perEpoch = elapsed.TotalSeconds / Math.Max(1, epochsThisProcess);
        return new TrainingProgress(stage, epoch, maxEpochs, Math.Round(elapsed.TotalSeconds, 1), Math.Round(perEpoch * Math.Max(0, maxEpochs - epoch), 1), now);
    }
}

/// <summary>The gate's verdict on the candidate model.</summary>
public sealed record GateDecision(bool Accepted, string Reason);

/// <summary>
/// One retraining run, stored as JSON by <see cref="RunRecordStore"/> and updated as the run goes. Property names are
/// camelCase in the JSON, enums lowercase strings.
/// </summary>
public sealed class RunRecord
{
    /// <summary>"yyyyMMdd-HHmmss-SUFFIX" (UTC start time, then letters, digits or '-'): see <see cref="NewRunId"/>.</summary>
    public required string RunId { get; init; }

    public required RunTrigger Trigger { get; init; }
    public RunStatus Status { get; set; } = RunStatus.Running;

    /// <summary>1 for the first execution of the run; a retried job execution (the same run id) counts on.</summary>
    public int Attempt { get; set; } = 1;
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; set; }
    public List<PhaseTiming> Phases { get; init; } = [];
    public Dictionary<string, double> Metrics { get; init; } = new(StringComparer.Ordinal);
    public GateDecision? Gate { get; set; }

    /// <summary>Training's epoch, cap, elapsed time and ETA while it runs (the last values after).</summary>
    public TrainingProgress? Progress { get; set; }

    /// <summary>The version the run trained, published or not.</summary>
    public string? CandidateVersion { get; set; }

    /// <summary>The version latest.json names after this run, when the run published.</summary>
    public string? PublishedVersion { get; set; }

    public List<string> Errors { get; init; } = [];

    /// <summary>Why the run did not train (<see cref="RunStatus.Skipped"/>): who held the lock.</summary>
    public string? SkipReason { get; set; }

    /// <summary>The Container Apps job execution that runs it (<see cref="RunStatus.Launched"/>).</summary>
    public string? JobExecution { get; set; }

    /// <summary>
    /// Starts the record over for another execution of the same run (a retried job execution): the attempt counts on,
    /// the earlier attempt's phases, metrics, gate and progress go, and its first error stays as one line.
    /// </summary>
    public void StartNextAttempt()
    {
        var failure = Errors.Count > 0 ? Errors[0] : $"it ended {Status.ToString().ToLowerInvariant()}";
        Errors.Clear();
        Errors.Add($"Attempt {Attempt} did not finish: {failure}");
        Attempt++;
        Phases.Clear();
        Metrics.Clear();
        Gate = null;
        Progress = null;
        FinishedAt = null;
        CandidateVersion = null;
    }

    /// <summary>A record in <see cref="RunStatus.Running"/> with a new id.</summary>
    public static RunRecord Start(RunTrigger trigger, DateTimeOffset startedAt) => new()
    {
        RunId = NewRunId(startedAt),
        Trigger = trigger,
        StartedAt = startedAt,
    };

    /// <summary>The UTC start time to the second, then 8 random hex digits: ids sort by start time to the second (RunRecordStore orders runs of one second by StartedAt).</summary>
    public static string NewRunId(DateTimeOffset startedAt) =>
        startedAt.UtcDateTime.ToString("yyyyMMdd'-'HHmmss", CultureInfo.InvariantCulture) + "-" + RandomNumberGenerator.GetHexString(8, lowercase: true);
}
