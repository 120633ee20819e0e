using Recommender.Model.Data;

namespace Recommender.Model.Evaluation;

/// <summary>A seeded, deterministic way of cutting a data set into Train, Validation and Test.</summary>
public interface ISplitProtocol
{
    string Name { get; }

    DataSplit Split(MovieLensDataset dataset, int seed);
}

/// <summary>Creates split protocols by name.</summary>
public static class SplitProtocols
{
    public const string Stratified = "stratified";
    public const string LeaveOneOut = "leave-one-out";
    public const string Temporal = "temporal";
    public const string Session = "session";

    public static IReadOnlyList<string> Names { get; } = [Stratified, LeaveOneOut, Temporal, Session];

    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static ISplitProtocol Create(string name, SplitOptions? options = null)
    {
        options ??= new SplitOptions();
        return name switch
        {
            Stratified => new StratifiedSplit(options.Stratified, options.K),
            LeaveOneOut => new LeaveOneOutSplit(options.LeaveOneOut, options.K),
            Temporal => new TemporalSplit(options.Temporal, options.K),
            Session => new SessionSplit(options.Session, options.K),
            _ => throw new ArgumentException(
                $"Unknown split protocol '{name}'. Valid protocols: {string.Join(", ", Names)}.", nameof(name)),
        };
    }
}
