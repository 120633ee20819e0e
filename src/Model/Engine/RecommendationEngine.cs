using System.Buffers;
using System.Numerics.Tensors;
using Recommender.Model.Bundle;

namespace Recommender.Model.Engine;

/// <summary>
/// Serves recommendations from a loaded <see cref="ModelBundle"/>. Immutable after construction and safe for
/// concurrent calls: one shared ONNX Runtime session, and the compiled user-vector graph when it serves single
/// requests (<see cref="UserVectorRuntime"/>); per-call catalogue-sized buffers come from
/// <see cref="ArrayPool{T}"/>. Ties in score go to the lower item index.
/// </summary>
public sealed partial class RecommendationEngine : IDisposable
{
    private const int MaxGenres = 64;

    private readonly ModelBundleContent _content;
    private readonly UserVectorModel _model;
    /// <summary>Serves single requests' user vectors when not null; verified against <see cref="_model"/> at construction.</summary>
    private readonly CompiledUserVectorGraph? _compiled;
    private readonly Dictionary<int, int> _itemByMovieId;
    private readonly Dictionary<int, int> _userById;
    private readonly Dictionary<string, int> _genreBitByName;
    private readonly ulong[] _genreMasks;
    private readonly int[] _years;
    private readonly float[] _inverseNorms;
    private readonly QuantizedMovieTable _quantizedMovies;
    private readonly int _dim;
    private readonly int _movieCount;

    public RecommendationEngine(ModelBundle bundle, RecommendationEngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        options ??= new RecommendationEngineOptions();
        Bundle = bundle;
        _content = bundle.Content;
        _dim = _content.Dim;
        _movieCount = _content.MovieCount;
        ModelVersion = bundle.Manifest.ModelVersion;
        var runtimeSelector = new UserVectorRuntimeSelector(options.UserVectorRuntime, _content);

        _itemByMovieId = new Dictionary<int, int>(_movieCount);
        _genreBitByName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        _genreMasks = new ulong[_movieCount];
        _years = new int[_movieCount];
        for (var item = 0; item < _movieCount; item++)
        {
            var movie = _content.Movies[item];
            if (!_itemByMovieId.TryAdd(movie.MovieId, item))
            {
                throw new BundleValidationException(bundle.Directory, BundleFiles.Movies, $"movie id {movie.MovieId} appears twice (entries {_itemByMovieId[movie.MovieId]} and {item})");
            }
            _years[item] = movie.Year ?? ItemFilter.UnknownYear;
            foreach (var genre in movie.Genres)
            {
                if (!_genreBitByName.TryGetValue(genre, out var bit))
                {
                    bit = _genreBitByName.Count;
                    if (bit == MaxGenres)
                    {
                        throw new BundleValidationException(bundle.Directory, BundleFiles.Movies, $"more than {MaxGenres} distinct genres; the genre filter supports {MaxGenres}");
                    }
                    _genreBitByName.Add(genre, bit);
                }
                _genreMasks[item] |= 1UL << bit;
            }
        }
        _userById = new Dictionary<int, int>(_content.UserCount);
        for (var user = 0; user < _content.UserCount; user++)
        {
            if (!_userById.TryAdd(_content.UserIds[user], user))
            {
                throw new BundleValidationException(bundle.Directory, BundleFiles.UserIds, $"user id {_content.UserIds[user]} appears twice");
            }
        }
        _inverseNorms = new float[_movieCount];
        for (var item = 0; item < _movieCount; item++)
        {
            var norm = TensorPrimitives.Norm(_content.MovieTable.AsSpan(item * _dim, _dim));
            _inverseNorms[item] = norm > 0 ? 1f / norm : 0f;
        }
        _quantizedMovies = new QuantizedMovieTable(_content.MovieTable, _dim);
        _model = new UserVectorModel(_content.OnnxModel, _dim, options.IntraOpThreads);
        (_compiled, UserVectorRuntime) = runtimeSelector.Select(_model);
    }

    public static RecommendationEngine Load(string bundleDirectory, RecommendationEngineOptions? options = null) =>
        new(ModelBundle.Load(bundleDirectory), options);

    public ModelBundle Bundle { get; }
    public string ModelVersion { get; }

    /// <summary>What computes single requests' user vectors, and why (including the verified difference from ONNX Runtime).</summary>
    public UserVectorRuntimeSelection UserVectorRuntime { get; }

    public bool IsKnownUser(int userId) => _userById.ContainsKey(userId);

    public bool IsKnownMovie(int movieId) => _itemByMovieId.ContainsKey(movieId);

    /// <summary>The catalogue's genres, as spelled in the bundle (the genre filter matches them case-insensitively).</summary>
    public IReadOnlyCollection<string> Genres => _genreBitByName.Keys;

    /// <summary>True when <paramref name="genre"/> (any case) is a genre of the catalogue.</summary>
    public bool IsKnownGenre(string genre) => _genreBitByName.ContainsKey(genre);

    /// <summary>
    /// Recommendations for a MovieLens user. A known user gets the personalised ranking from the stored history
    /// (served from the precomputed list when the options are the defaults and count fits it); an unknown user
    /// gets the popularity fallback.
    /// </summary>
    public RecommendationResult RecommendForUser(int userId, int count, RecommendationOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        options ??= RecommendationOptions.Default;
        if (!_userById.TryGetValue(userId, out var user))
        {
            return Fallback(count, options);
        }
        if (options.IsDefault && count <= _content.PrecomputedCount)
        {
            return Precomputed(user, count);
        }
        var history = _content.History.Row(user);
        var graphVector = _content.UserTable.AsSpan(user * _dim, _dim);
        Span<float> userVector = stackalloc float[_dim];
        if (history.IsEmpty)
        {
            graphVector.CopyTo(userVector);
        }
        else
        {
            ComputeUserVector(history, graphVector, userVector);
        }
        return Rank(userVector, count, options, _content.Seen.Row(user), RecommendationPath.Personalised);
    }

    /// <summary>
    /// Recommendations for an anonymous or session user from their MovieLens movie ids, oldest first; the model
    /// reads the most recent MaxHistory of them. An empty history gets the popularity fallback.
    /// </summary>
    /// <exception cref="ArgumentException">A movie id is not in the catalogue (the message names it).</exception>
    public RecommendationResult RecommendForHistory(IReadOnlyList<int> movieIds, int count, RecommendationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(movieIds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        options ??= RecommendationOptions.Default;
        var items = ArrayPool<int>.Shared.Rent(Math.Max(movieIds.Count, 1));
        try
        {
            for (var position = 0; position < movieIds.Count; position++)
            {
                if (!_itemByMovieId.TryGetValue(movieIds[position], out items[position]))
                {
                    throw new ArgumentException($"Movie id {movieIds[position]} (position {position} of the history) is not in the model's catalogue.", nameof(movieIds));
                }
            }
            var history = items.AsSpan(0, movieIds.Count);
            if (history.IsEmpty)
            {
                return Fallback(count, options);
            }
            var recent = history[Math.Max(0, history.Length - _content.MaxHistory)..];
            Span<float> graphVector = stackalloc float[_dim];
            SessionGraphVector(recent, graphVector);
            Span<float> userVector = stackalloc float[_dim];
            ComputeUserVector(recent, graphVector, userVector);
            return Rank(userVector, count, options, history, RecommendationPath.Session);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(items);
        }
    }

    /// <summary>A session's graph part: a, plus the mean of the history's movie rows when the bundle says SessionFoldIn.</summary>
    private void SessionGraphVector(ReadOnlySpan<int> history, Span<float> graphVector)
    {
        if (!_content.SessionFoldIn)
        {
            _content.AnonymousVector.CopyTo(graphVector);
            return;
        }
        graphVector.Clear();
        foreach (var item in history)
        {
            TensorPrimitives.Add(graphVector, _content.MovieTable.AsSpan(item * _dim, _dim), graphVector);
        }
        TensorPrimitives.Multiply(graphVector, 1f / history.Length, graphVector);
        TensorPrimitives.Add(graphVector, _content.AnonymousVector, graphVector);
    }

    /// <summary>The movies nearest to <paramref name="movieId"/> by cosine similarity of their embeddings.</summary>
    /// <exception cref="ArgumentException">The movie id is not in the catalogue.</exception>
    public RecommendationResult SimilarMovies(int movieId, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (!_itemByMovieId.TryGetValue(movieId, out var item))
        {
            throw new ArgumentException($"Movie id {movieId} is not in the model's catalogue.", nameof(movieId));
        }
        var scores = ArrayPool<float>.Shared.Rent(_movieCount);
        try
        {
            var scoreSpan = scores.AsSpan(0, _movieCount);
            MovieScoring.ScoreAll(_content.MovieTable, _content.MovieTable.AsSpan(item * _dim, _dim), scoreSpan);
            TensorPrimitives.Multiply(scoreSpan, _inverseNorms, scoreSpan);
            TensorPrimitives.Multiply(scoreSpan, _inverseNorms[item], scoreSpan);
            var filter = new ItemFilter(null, null, 0, null, 0, 0, excludedItem: item);
            return Select(scoreSpan, count, filter, RecommendationPath.SimilarItems);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    private void ComputeUserVector(ReadOnlySpan<int> history, ReadOnlySpan<float> graphVector, Span<float> userVector)
    {
        if (_compiled is not null)
        {
            _compiled.Compute(history, graphVector, userVector);
        }
        else
        {
            _model.Compute(history, graphVector, userVector);
        }
    }

    private RecommendationResult Precomputed(int user, int count)
    {
        var k = _content.PrecomputedCount;
        var rowItems = _content.PrecomputedItems.AsSpan(user * k, count);
        var rowScores = _content.PrecomputedScores.AsSpan(user * k, count);
        var results = new List<RecommendedMovie>(count);
        for (var rank = 0; rank < count && rowItems[rank] >= 0; rank++)
        {
            results.Add(Describe(rank, rowItems[rank], rowScores[rank]));
        }
        return new RecommendationResult(results, ModelVersion, RecommendationPath.Personalised, FromPrecomputed: true);
    }

    /// <summary>The best accepted movies for a user vector, ranked as exact float32 scoring ranks them.</summary>
    private RecommendationResult Rank(ReadOnlySpan<float> userVector, int count, RecommendationOptions options, ReadOnlySpan<int> seen, RecommendationPath path)
    {
        var capacity = Math.Min(count, _movieCount);
        var items = ArrayPool<int>.Shared.Rent(capacity);
        var bestScores = ArrayPool<float>.Shared.Rent(capacity);
        ulong[]? excluded = null;
        try
        {
            var filter = CreateFilter(options, options.ExcludeSeen ? seen : [], out excluded);
            var found = _quantizedMovies.SelectBest(_content.MovieTable, userVector, filter, items.AsSpan(0, capacity), bestScores.AsSpan(0, capacity));
            return Describe(items.AsSpan(0, found), bestScores.AsSpan(0, found), path);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(items);
            ArrayPool<float>.Shared.Return(bestScores);
            if (excluded is not null)
            {
                ArrayPool<ulong>.Shared.Return(excluded);
            }
        }
    }

    private RecommendationResult Select(ReadOnlySpan<float> scores, int count, in ItemFilter filter, RecommendationPath path)
    {
        var capacity = Math.Min(count, _movieCount);
        var items = ArrayPool<int>.Shared.Rent(capacity);
        var bestScores = ArrayPool<float>.Shared.Rent(capacity);
        try
        {
            var found = TopKSelector.Select(scores, filter, items.AsSpan(0, capacity), bestScores.AsSpan(0, capacity));
            return Describe(items.AsSpan(0, found), bestScores.AsSpan(0, found), path);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(items);
            ArrayPool<float>.Shared.Return(bestScores);
        }
    }

    private RecommendationResult Describe(ReadOnlySpan<int> items, ReadOnlySpan<float> scores, RecommendationPath path)
    {
        var results = new List<RecommendedMovie>(items.Length);
        for (var rank = 0; rank < items.Length; rank++)
        {
            results.Add(Describe(rank, items[rank], scores[rank]));
        }
        return new RecommendationResult(results, ModelVersion, path, FromPrecomputed: false);
    }

    /// <summary>The popularity ranking under the request's filters (a fallback has no seen movies to exclude).</summary>
    private RecommendationResult Fallback(int count, RecommendationOptions options)
    {
        ulong[]? excluded = null;
        try
        {
            var filter = CreateFilter(options, seen: [], out excluded);
            var results = new List<RecommendedMovie>(Math.Min(count, _content.PopularityItems.Length));
            for (var position = 0; position < _content.PopularityItems.Length && results.Count < count; position++)
            {
                var item = _content.PopularityItems[position];
                if (filter.Accepts(item))
                {
                    results.Add(Describe(results.Count, item, _content.PopularityScores[position]));
                }
            }
            return new RecommendationResult(results, ModelVersion, RecommendationPath.Fallback, FromPrecomputed: false);
        }
        finally
        {
            if (excluded is not null)
            {
                ArrayPool<ulong>.Shared.Return(excluded);
            }
        }
    }

    /// <summary>The filter for a request; <paramref name="excluded"/> is a rented bitset (or null) the caller returns.</summary>
    private ItemFilter CreateFilter(RecommendationOptions options, ReadOnlySpan<int> seen, out ulong[]? excluded)
    {
        ulong requiredGenres = 0;
        if (options.Genres is { Count: > 0 })
        {
            foreach (var genre in options.Genres)
            {
                if (!_genreBitByName.TryGetValue(genre, out var bit))
                {
                    throw new ArgumentException($"Unknown genre '{genre}'; the catalogue has: {string.Join(", ", _genreBitByName.Keys.Order(StringComparer.Ordinal))}.", nameof(options));
                }
                requiredGenres |= 1UL << bit;
            }
        }
        if (options.MinYear > options.MaxYear)
        {
            throw new ArgumentException($"MinYear {options.MinYear} is after MaxYear {options.MaxYear}.", nameof(options));
        }

        excluded = null;
        var excludeIds = options.ExcludeMovieIds;
        if (!seen.IsEmpty || excludeIds is { Count: > 0 })
        {
            var length = ItemFilter.BitsetLength(_movieCount);
            excluded = ArrayPool<ulong>.Shared.Rent(length);
            Array.Clear(excluded, 0, length);
            foreach (var item in seen)
            {
                ItemFilter.Set(excluded, item);
            }
            if (excludeIds is not null)
            {
                foreach (var movieId in excludeIds)
                {
                    if (_itemByMovieId.TryGetValue(movieId, out var item))
                    {
                        ItemFilter.Set(excluded, item);
                    }
                }
            }
        }
        var restrictYears = options.MinYear is not null || options.MaxYear is not null;
        return new ItemFilter(
            excluded,
            _genreMasks,
            requiredGenres,
            restrictYears ? _years : null,
            options.MinYear ?? int.MinValue + 1,
            options.MaxYear ?? int.MaxValue);
    }

    private RecommendedMovie Describe(int rank, int item, float score)
    {
        var movie = _content.Movies[item];
        return new RecommendedMovie(rank + 1, movie.MovieId, movie.Title, movie.Year, movie.Genres, score);
    }

    public void Dispose() => _model.Dispose();
}
