namespace Recommender.Model.Engine;

/// <summary>Which item indices may be recommended: not excluded, of a required genre, within a year range.</summary>
internal readonly struct ItemFilter
{
    private readonly ulong[]? _excluded;
    private readonly ulong[]? _genreMasks;
    private readonly ulong _requiredGenres;
    private readonly int[]? _years;
    private readonly int _minYear;
    private readonly int _maxYear;
    private readonly int _excludedItem;

    /// <param name="excluded">Bit i set: item i is excluded; null excludes nothing.</param>
    /// <param name="genreMasks">Per item, a bit per genre; used when <paramref name="requiredGenres"/> is not 0.</param>
    /// <param name="requiredGenres">An item must have at least one of these genre bits; 0 accepts all.</param>
    /// <param name="years">Per item its year, <see cref="UnknownYear"/> where unknown; null accepts all years.</param>
    /// <param name="excludedItem">One more excluded item index, or -1.</param>
    public ItemFilter(ulong[]? excluded, ulong[]? genreMasks, ulong requiredGenres, int[]? years, int minYear, int maxYear, int excludedItem = -1)
    {
        _excluded = excluded;
        _genreMasks = requiredGenres == 0 ? null : genreMasks;
        _requiredGenres = requiredGenres;
        _years = years;
        _minYear = minYear;
        _maxYear = maxYear;
        _excludedItem = excludedItem;
    }

    public const int UnknownYear = int.MinValue;

    public static ItemFilter None => new(null, null, 0, null, 0, 0);

    public static ItemFilter Excluding(ulong[] excluded) => new(excluded, null, 0, null, 0, 0);

    public bool Accepts(int item)
    {
        if (item == _excludedItem)
        {
            return false;
        }
        if (_excluded is not null && (_excluded[item >> 6] & (1UL << item)) != 0)
        {
            return false;
        }
        if (_genreMasks is not null && (_genreMasks[item] & _requiredGenres) == 0)
        {
            return false;
        }
        if (_years is not null)
        {
            var year = _years[item];
            return year != UnknownYear && year >= _minYear && year <= _maxYear;
        }
        return true;
    }

    public static int BitsetLength(int items) => (items + 63) >> 6;

    public static void Set(ulong[] bits, int item) => bits[item >> 6] |= 1UL << item;
}
