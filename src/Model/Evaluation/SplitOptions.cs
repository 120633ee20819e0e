using System.Globalization;

namespace Recommender.Model.Evaluation;

/// <summary>Which groups the stratified protocol splits 75/25 within.</summary>
public enum StratifyBy
{
    /// <summary>
    /// Per user: the default of Microsoft Recommenders' <c>python_stratified_split</c> (<c>filter_by="user"</c>)
    /// and the protocol behind its published ml-100k numbers. Every user keeps ~75% of their ratings for training.
    /// </summary>
    User,

    /// <summary>Per movie (<c>filter_by="item"</c>): every movie keeps ~75% of its ratings for training.</summary>
    Item,
}

/// <summary>Options of the <c>stratified</c> protocol.</summary>
public sealed record StratifiedSplitOptions
{
    /// <summary>Share of each group's interactions that goes to training (Train + Validation).</summary>
    public double TrainRatio { get; init; } = 0.75;

    public StratifyBy StratifyBy { get; init; } = StratifyBy.User;

    /// <summary>Share of each user's training part carved out as Validation.</summary>
    public double ValidationRatio { get; init; } = 0.1;
}

/// <summary>Options of the <c>leave-one-out</c> protocol.</summary>
public sealed record LeaveOneOutOptions
{
    /// <summary>Interactions rated below this are removed before splitting; null keeps every rating.</summary>
    public float? MinRating { get; init; }

    /// <summary>
    /// Iteratively drops users and items with fewer than this many interactions; 0 (the default, like RecBole's
    /// ml-100k configuration) filters nothing.
    /// </summary>
    public int KCore { get; init; }
}

/// <summary>Options of the <c>session</c> protocol.</summary>
public sealed record SessionSplitOptions
{
    /// <summary>Share of the eligible users held out of training as sessions.</summary>
    public double HeldOutShare { get; init; } = 0.1;

    /// <summary>At least this many users are held out (all eligible users when there are fewer).</summary>
    public int MinHeldOutUsers { get; init; } = 100;
}

/// <summary>Options of the <c>temporal</c> protocol.</summary>
public sealed record TemporalSplitOptions
{
    public TemporalCut Cut { get; init; } = TemporalCut.AtQuantile(0.9);

    /// <summary>Share of the training interactions, latest first, that forms Validation.</summary>
    public double ValidationFraction { get; init; } = 0.1;
}

/// <summary>The global time cut T of the temporal protocol: train before T, test from T on.</summary>
public abstract record TemporalCut
{
    private TemporalCut()
    {
    }

    public static TemporalCut AtQuantile(double quantile)
    {
        if (!(quantile > 0 && quantile < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(quantile), quantile, "The cut quantile must lie strictly between 0 and 1.");
        }
        return new QuantileCut(quantile);
    }

    public static TemporalCut AtInstant(DateTimeOffset instant) => new InstantCut(instant);

    /// <summary>Parses a quantile such as <c>0.9</c> or an ISO 8601 instant such as <c>1998-03-01T00:00:00Z</c>.</summary>
    public static TemporalCut Parse(string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var quantile))
        {
            return AtQuantile(quantile);
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return AtInstant(instant);
        }
        throw new FormatException($"'{text}' is neither a quantile in (0, 1) nor an ISO 8601 instant.");
    }

    /// <summary>The quantile of all interaction timestamps (for example 0.9) at which training ends.</summary>
    public sealed record QuantileCut(double Quantile) : TemporalCut;

    /// <summary>An explicit instant at which training ends.</summary>
    public sealed record InstantCut(DateTimeOffset Instant) : TemporalCut;
}

/// <summary>Everything the split protocols can be configured with; each protocol reads its own part.</summary>
public sealed record SplitOptions
{
    /// <summary>Ranking cut-off recorded in the split (metrics are computed @K).</summary>
    public int K { get; init; } = 10;

    public StratifiedSplitOptions Stratified { get; init; } = new();
    public LeaveOneOutOptions LeaveOneOut { get; init; } = new();
    public TemporalSplitOptions Temporal { get; init; } = new();
    public SessionSplitOptions Session { get; init; } = new();
}
