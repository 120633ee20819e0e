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
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; set; }
    public List<PhaseTiming> Phases { get; init; } = [];
    public Dictionary<string, double> Metrics { get; init; } = new(StringComparer.Ordinal);
    public GateDecision? Gate { get; set; }

    /// <summary>The version the run trained, published or not.</summary>
    public string? CandidateVersion { get; set; }

    /// <summary>The version latest.json names after this run, when the run published.</summary>
    public string? PublishedVersion { get; set; }

    public List<string> Errors { get; init; } = [];

    /// <summary>Why the run did not train (<see cref="RunStatus.Skipped"/>): who held the lock.</summary>
    public string? SkipReason { get; set; }

    /// <summary>The Container Apps job execution that runs it (<see cref="RunStatus.Launched"/>).</summary>
    public string? JobExecution { get; set; }

    /// <summary>A record in <see cref="RunStatus.Running"/> with a new id.</summary>
    public static RunRecord Start(RunTrigger trigger, DateTimeOffset startedAt) => new()
    {
        RunId = NewRunId(startedAt),
        Trigger = trigger,
        StartedAt = startedAt,
    };

    /// <summary>The UTC start time to the second, then 8 random hex digits: ids sort by start time.</summary>
    public static string NewRunId(DateTimeOffset startedAt) =>
        startedAt.UtcDateTime.ToString("yyyyMMdd'-'HHmmss", CultureInfo.InvariantCulture) + "-" + RandomNumberGenerator.GetHexString(8, lowercase: true);
}
