namespace Recommender.Model.Bundle;

/// <summary>
/// Everything a bundle holds, as plain arrays: what <see cref="BundleWriter"/> writes and what
/// <see cref="ModelBundle.Load"/> returns. Item indices refer to positions in <see cref="Movies"/>,
/// user indices to positions in <see cref="UserIds"/>.
/// </summary>
public sealed class ModelBundleContent
{
    /// <summary>The serialized user-vector graph (Recommender.Model.Engine.UserVectorGraph).</summary>
    public required byte[] OnnxModel { get; init; }

    public required int Dim { get; init; }
    public required int MaxHistory { get; init; }

    /// <summary>E [movies, Dim].</summary>
    public required float[] MovieTable { get; init; }

    /// <summary>The catalogue in item-index order.</summary>
    public required IReadOnlyList<BundleMovie> Movies { get; init; }

    /// <summary>G [users, Dim].</summary>
    public required float[] UserTable { get; init; }

    /// <summary>MovieLens user id of each user index.</summary>
    public required int[] UserIds { get; init; }

    /// <summary>Per user, the most recent (at most MaxHistory) item indices, oldest first: the LSTM's input.</summary>
    public required RaggedIndexTable History { get; init; }

    /// <summary>Per user, every item index the user has interacted with, ascending: excluded as "seen".</summary>
    public required RaggedIndexTable Seen { get; init; }

    /// <summary>Item indices, most popular first: the fallback ranking.</summary>
    public required int[] PopularityItems { get; init; }

    /// <summary>The popularity score of each entry of <see cref="PopularityItems"/>, non-increasing.</summary>
    public required float[] PopularityScores { get; init; }

    /// <summary>K: columns of the precomputed tables.</summary>
    public required int PrecomputedCount { get; init; }

    /// <summary>[users, K] best item indices per user with seen items excluded, best first; -1 pads a short row.</summary>
    public required int[] PrecomputedItems { get; init; }

    /// <summary>[users, K] the score of each precomputed item (NaN where the item is -1).</summary>
    public required float[] PrecomputedScores { get; init; }

    /// <summary>a [Dim].</summary>
    public required float[] AnonymousVector { get; init; }

    /// <summary>A session's graph part is a + the mean of the movie table over the history it reads (else a alone).</summary>
    public bool SessionFoldIn { get; init; }

    /// <summary>The newest interaction the histories were built from (<see cref="BundleManifest.DataEndUtc"/>); null when unknown.</summary>
    public DateTimeOffset? DataEndUtc { get; init; }

    public required string DatasetFingerprint { get; init; }
    public IReadOnlyDictionary<string, string> HyperParameters { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    public int MovieCount => Movies.Count;
    public int UserCount => UserIds.Length;

    /// <summary>The first inconsistency between the parts, as (file it concerns, message), or null when there is none.</summary>
    public (string File, string Problem)? FindProblem()
    {
        if (Dim <= 0)
        {
            return (BundleFiles.Manifest, $"dim must be positive, got {Dim}");
        }
        if (MaxHistory <= 0)
        {
            return (BundleFiles.Manifest, $"maxHistory must be positive, got {MaxHistory}");
        }
        if (AnonymousVector.Length != Dim)
        {
            return (BundleFiles.Manifest, $"the anonymous vector has {AnonymousVector.Length} values; expected dim {Dim}");
        }
        if (OnnxModel.Length == 0)
        {
            return (BundleFiles.Model, "the ONNX model is empty");
        }
        if (MovieTable.LongLength != (long)MovieCount * Dim)
        {
            return (BundleFiles.MovieTable, $"holds {MovieTable.LongLength} values; expected {MovieCount} movies x {Dim}");
        }
        if (UserTable.LongLength != (long)UserCount * Dim)
        {
            return (BundleFiles.UserTable, $"holds {UserTable.LongLength} values; expected {UserCount} users x {Dim}");
        }
        for (var index = 0; index < Movies.Count; index++)
        {
            if (Movies[index] is null || Movies[index].Title is null || Movies[index].Genres is null)
            {
                return (BundleFiles.Movies, $"entry {index} lacks an id, title or genres");
            }
        }
        if (History.RowCount != UserCount)
        {
            return (BundleFiles.HistoryOffsets, $"has {History.RowCount} rows; expected {UserCount} users");
        }
        for (var user = 0; user < UserCount; user++)
        {
            if (History.Row(user).Length > MaxHistory)
            {
                return (BundleFiles.HistoryOffsets, $"user index {user} has {History.Row(user).Length} history steps; at most {MaxHistory} allowed");
            }
        }
        if (History.FindValueOutOfRange(MovieCount) is { } historyProblem)
        {
            return (BundleFiles.History, historyProblem);
        }
        if (Seen.RowCount != UserCount)
        {
            return (BundleFiles.SeenOffsets, $"has {Seen.RowCount} rows; expected {UserCount} users");
        }
        if (Seen.FindValueOutOfRange(MovieCount) is { } seenProblem)
        {
            return (BundleFiles.Seen, seenProblem);
        }
        if (PopularityScores.Length != PopularityItems.Length)
        {
            return (BundleFiles.PopularityScores, $"holds {PopularityScores.Length} scores for {PopularityItems.Length} items");
        }
        foreach (var item in PopularityItems)
        {
            if ((uint)item >= (uint)MovieCount)
            {
                return (BundleFiles.PopularityItems, $"holds index {item}, outside 0..{MovieCount - 1}");
            }
        }
        if (PrecomputedCount < 0)
        {
            return (BundleFiles.Manifest, $"precomputedCount must not be negative, got {PrecomputedCount}");
        }
        var precomputedLength = (long)UserCount * PrecomputedCount;
        if (PrecomputedItems.LongLength != precomputedLength)
        {
            return (BundleFiles.PrecomputedItems, $"holds {PrecomputedItems.LongLength} values; expected {UserCount} users x {PrecomputedCount}");
        }
        if (PrecomputedScores.LongLength != precomputedLength)
        {
            return (BundleFiles.PrecomputedScores, $"holds {PrecomputedScores.LongLength} values; expected {UserCount} users x {PrecomputedCount}");
        }
        foreach (var item in PrecomputedItems)
        {
            if (item < -1 || item >= MovieCount)
            {
                return (BundleFiles.PrecomputedItems, $"holds index {item}, outside -1..{MovieCount - 1}");
            }
        }
        return null;
    }
}
