namespace Recommender.Model.Engine;

/// <summary>Which computation produced a result.</summary>
public enum RecommendationPath
{
    /// <summary>A known user: graph embedding G[user] fused with the LSTM over the stored history.</summary>
    Personalised,

    /// <summary>An anonymous or session user: the anonymous vector fused with the LSTM over the given history.</summary>
    Session,

    /// <summary>No usable signal (unknown user or empty history): the popularity ranking.</summary>
    Fallback,

    /// <summary>A known user with events newer than the model's data: G[user] fused with the LSTM over the stored history plus those events.</summary>
    Live,

    /// <summary>Nearest movies to a movie by cosine similarity of their embeddings.</summary>
    SimilarItems,
}

/// <summary>Filters for a request. The defaults exclude seen movies and nothing else.</summary>
public sealed record RecommendationOptions
{
    public static RecommendationOptions Default { get; } = new();

    /// <summary>Leave out the movies in the user's (or session's) history.</summary>
    public bool ExcludeSeen { get; init; } = true;

    /// <summary>MovieLens movie ids never to recommend; ids not in the catalogue are ignored.</summary>
    public IReadOnlyCollection<int>? ExcludeMovieIds { get; init; }

    /// <summary>Keep only movies having at least one of these genres (case-insensitive); null or empty keeps all.</summary>
    public IReadOnlyCollection<string>? Genres { get; init; }

    /// <summary>Earliest release year kept (inclusive); movies without a year are dropped when a bound is set.</summary>
    public int? MinYear { get; init; }

    /// <summary>Latest release year kept (inclusive).</summary>
    public int? MaxYear { get; init; }

    /// <summary>True when nothing beyond the default seen-exclusion applies.</summary>
    public bool IsDefault =>
        ExcludeSeen && (ExcludeMovieIds is null || ExcludeMovieIds.Count == 0) && (Genres is null || Genres.Count == 0)
        && MinYear is null && MaxYear is null;
}

/// <summary>One recommended movie; Rank starts at 1.</summary>
public sealed record RecommendedMovie(int Rank, int MovieId, string Title, int? Year, IReadOnlyList<string> Genres, float Score);

/// <summary>A ranked list and how it was produced.</summary>
public sealed record RecommendationResult(
    IReadOnlyList<RecommendedMovie> Items,
    string ModelVersion,
    RecommendationPath Path,
    bool FromPrecomputed);

/// <summary>Settings of the engine itself (not of a request).</summary>
public sealed record RecommendationEngineOptions
{
    /// <summary>ONNX Runtime threads per call; 1 lets concurrent callers use the cores without contention.</summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>
    /// What computes single requests' user vectors (RecommendForHistory and live RecommendForUser); batch work such as
    /// precomputation always uses ONNX Runtime. See <see cref="RecommendationEngine.UserVectorRuntime"/> for the outcome.
    /// </summary>
    public UserVectorRuntimePreference UserVectorRuntime { get; init; } = UserVectorRuntimePreference.Auto;
}
