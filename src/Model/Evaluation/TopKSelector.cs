using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recommender.Model.Evaluation;

/// <summary>
/// Partial selection of the k best items of a score row with a min-heap of size k, O(n log k).
/// Ties go to the lower item index: items are scanned in index order and an equal score never displaces an
/// item already held, and the heap treats the higher index as the worse of two equal scores.
/// </summary>
internal sealed class TopKSelector
{
    private readonly int[] _items;
    private readonly float[] _scores;
    private int _count;

    public TopKSelector(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        _items = new int[k];
        _scores = new float[k];
    }

    /// <summary>Selects the best items of <paramref name="scores"/> (NaN-free) not flagged in <paramref name="excluded"/>.</summary>
    public void Select(ReadOnlySpan<float> scores, ReadOnlySpan<bool> excluded)
    {
        _count = 0;
        var k = _items.Length;
        var item = 0;
        for (; item < scores.Length && _count < k; item++)
        {
            if (!excluded[item])
            {
                _items[_count] = item;
                _scores[_count] = scores[item];
                SiftUp(_count++);
            }
        }
        if (_count < k)
        {
            return;
        }

        // Once the heap is full, most blocks hold no score above the current k-th best: compare 8 at a time and
        // visit only the lanes that beat it, in index order so that ties still go to the lower index.
        if (Vector256.IsHardwareAccelerated)
        {
            ref var first = ref MemoryMarshal.GetReference(scores);
            for (; item <= scores.Length - Vector256<float>.Count; item += Vector256<float>.Count)
            {
                var block = Vector256.LoadUnsafe(ref first, (nuint)item);
                var above = Vector256.GreaterThan(block, Vector256.Create(_scores[0])).ExtractMostSignificantBits();
                while (above != 0)
                {
                    Offer(item + BitOperations.TrailingZeroCount(above), scores, excluded);
                    above &= above - 1;
                }
            }
        }
        for (; item < scores.Length; item++)
        {
            Offer(item, scores, excluded);
        }
    }

    private void Offer(int item, ReadOnlySpan<float> scores, ReadOnlySpan<bool> excluded)
    {
        var score = scores[item];
        if (score > _scores[0] && !excluded[item])
        {
            _items[0] = item;
            _scores[0] = score;
            SiftDown(0);
        }
    }

    /// <summary>Writes the selection best first and returns how many items it holds (less than k when fewer candidates).</summary>
    public int DrainSortedTo(Span<int> items, Span<float> scores)
    {
        var selected = _count;
        while (_count > 0)
        {
            var last = --_count;
            items[last] = _items[0];
            scores[last] = _scores[0];
            _items[0] = _items[last];
            _scores[0] = _scores[last];
            SiftDown(0);
        }
        return selected;
    }

    private bool IsWorse(int a, int b) =>
        _scores[a] < _scores[b] || (_scores[a] == _scores[b] && _items[a] > _items[b]);

    private void SiftUp(int node)
    {
        while (node > 0)
        {
            var parent = (node - 1) / 2;
            if (!IsWorse(node, parent))
            {
                return;
            }
            Swap(node, parent);
            node = parent;
        }
    }

    private void SiftDown(int node)
    {
        while (true)
        {
            var worst = node;
            var left = 2 * node + 1;
            var right = left + 1;
            if (left < _count && IsWorse(left, worst))
            {
                worst = left;
            }
            if (right < _count && IsWorse(right, worst))
            {
                worst = right;
            }
            if (worst == node)
            {
                return;
            }
            Swap(node, worst);
            node = worst;
        }
    }

    private void Swap(int a, int b)
    {
        (_items[a], _items[b]) = (_items[b], _items[a]);
        (_scores[a], _scores[b]) = (_scores[b], _scores[a]);
    }
}
