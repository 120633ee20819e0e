using Recommender.Model.Data;

namespace Recommender.Model.Evaluation;

/// <summary>
/// One evaluation split of a data set. <see cref="Train"/> and <see cref="Validation"/> are disjoint and
/// together are everything a model may learn from; <see cref="Validation"/> is carved from training data only
/// and serves early stopping. At test time the items a user has in Train or Validation are excluded from ranking.
/// All three tables share the data set's index spaces.
/// </summary>
public sealed class DataSplit
{
    public required MovieLensDataset Dataset { get; init; }
    public required string Protocol { get; init; }
    public required int Seed { get; init; }
    public required int K { get; init; }

    /// <summary>Protocol parameters for reports and metrics.json (for example ratio=0.75 or cut=2018-01-01T00:00:00Z).</summary>
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }

    public required InteractionTable Train { get; init; }
    public required InteractionTable Validation { get; init; }
    public required InteractionTable Test { get; init; }

    /// <summary>
    /// The session protocol's held-out users' histories before their Test movie: never learnt from, read as the input
    /// of a session (see <see cref="SessionSplit"/>); excluded from their ranking like Train and Validation. Null for
    /// the other protocols.
    /// </summary>
    public InteractionTable? Sessions { get; init; }
}
