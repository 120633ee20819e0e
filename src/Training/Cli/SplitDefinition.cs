using Recommender.Model.Evaluation;

namespace Recommender.Training.Cli;

/// <summary>
/// How a data set is loaded and split: protocol, seed, k and the protocol options given (null: the protocol's
/// default). <c>train</c> keeps it in run.json so that <c>export</c> rebuilds the same split.
/// </summary>
internal sealed record SplitDefinition
{
    public required string Protocol { get; init; }
    public required int Seed { get; init; }
    public required int K { get; init; }
    public bool SkipBadRows { get; init; }
    public StratifyBy? StratifyBy { get; init; }
    public float? MinRating { get; init; }
    public int? KCore { get; init; }
    public string? Cut { get; init; }

    /// <exception cref="ArgumentException">An unknown protocol.</exception>
    /// <exception cref="FormatException">A malformed cut.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A cut quantile outside (0, 1).</exception>
    public ISplitProtocol CreateProtocol() => SplitProtocols.Create(Protocol, new SplitOptions
    {
        K = K,
        Stratified = new StratifiedSplitOptions { StratifyBy = StratifyBy ?? Model.Evaluation.StratifyBy.User },
        LeaveOneOut = new LeaveOneOutOptions { MinRating = MinRating, KCore = KCore ?? 0 },
        Temporal = Cut is null ? new TemporalSplitOptions() : new TemporalSplitOptions { Cut = TemporalCut.Parse(Cut) },
    });
}
