namespace Recommender.Model.Data;

/// <summary>
/// Maps raw MovieLens ids (user or movie) to dense indices 0..Count-1 in order of first appearance, and back.
/// </summary>
public sealed class IdIndex
{
    private readonly Dictionary<int, int> _indexByRawId;
    private int[] _rawIds;
    private int _lastRawId = int.MinValue;
    private int _lastIndex = -1;

    public IdIndex(int capacity = 16)
    {
        _indexByRawId = new Dictionary<int, int>(capacity);
        _rawIds = new int[Math.Max(capacity, 4)];
    }

    public IdIndex(IEnumerable<int> rawIds) : this()
    {
        foreach (var rawId in rawIds)
        {
            if (!TryGetIndex(rawId, out _))
            {
                GetOrAdd(rawId);
            }
        }
    }

    public int Count => _indexByRawId.Count;

    public ReadOnlySpan<int> RawIds => _rawIds.AsSpan(0, Count);

    public int GetOrAdd(int rawId)
    {
        // MovieLens files are grouped by user, so the same id usually repeats on consecutive rows.
        if (rawId == _lastRawId)
        {
            return _lastIndex;
        }

        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_indexByRawId, rawId, out var exists);
        if (!exists)
        {
            slot = _indexByRawId.Count - 1;
            if (slot == _rawIds.Length)
            {
                Array.Resize(ref _rawIds, _rawIds.Length * 2);
            }
            _rawIds[slot] = rawId;
        }
        _lastRawId = rawId;
        _lastIndex = slot;
        return slot;
    }

    public bool TryGetIndex(int rawId, out int index) => _indexByRawId.TryGetValue(rawId, out index);

    public int GetRawId(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _rawIds[index];
    }

    /// <summary>Releases the spare capacity left over from growth.</summary>
    public void TrimExcess()
    {
        if (_rawIds.Length != Count)
        {
            Array.Resize(ref _rawIds, Count);
        }
        _indexByRawId.TrimExcess();
    }
}
