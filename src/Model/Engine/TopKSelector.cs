using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recommender.Model.Engine;

/// <summary>
/// Partial selection of the best-scoring accepted items. Higher scores win; equal scores go to the lower item index;
/// NaN scores are never selected. The filter is consulted only for items that would enter the current top list.
/// </summary>
internal static class TopKSelector
{
    /// <summary>Writes up to items.Length best items, best first, into items/bestScores and returns how many there are.</summary>
    public static int Select(ReadOnlySpan<float> scores, in ItemFilter filter, Span<int> items, Span<float> bestScores)
    {
        var heap = new TopKHeap(items, bestScores);
        var item = 0;
        for (; item < scores.Length && !heap.IsFull; item++)
        {
            Offer(ref heap, scores, filter, item);
        }

        // Once the heap is full, most blocks hold no score above the worst kept one: compare 8 at a time and visit
        // only the lanes that beat it, in index order so that ties still go to the lower index (NaN never beats it).
        if (Vector256.IsHardwareAccelerated && heap.IsFull && items.Length > 0)
        {
            ref var first = ref MemoryMarshal.GetReference(scores);
            for (; item <= scores.Length - Vector256<float>.Count; item += Vector256<float>.Count)
            {
                var above = Vector256.GreaterThan(Vector256.LoadUnsafe(ref first, (nuint)item), Vector256.Create(heap.Threshold))
                    .ExtractMostSignificantBits();
                while (above != 0)
                {
                    Offer(ref heap, scores, filter, item + BitOperations.TrailingZeroCount(above));
                    above &= above - 1;
                }
            }
        }
        for (; item < scores.Length; item++)
        {
            Offer(ref heap, scores, filter, item);
        }
        return heap.Finish();
    }

    private static void Offer(ref TopKHeap heap, ReadOnlySpan<float> scores, in ItemFilter filter, int item)
    {
        if (heap.Admits(scores[item]) && filter.Accepts(item))
        {
            heap.Offer(item, scores[item]);
        }
    }
}

/// <summary>
/// The best items seen so far, kept in caller-provided spans as a min-heap whose root is the worst kept item.
/// Items must be offered in ascending index order: an equal score then never displaces a kept item, so ties go to
/// the lower index.
/// </summary>
internal ref struct TopKHeap
{
    private readonly Span<int> _items;
    private readonly Span<float> _scores;
    private int _size;

    public TopKHeap(Span<int> items, Span<float> scores)
    {
        var capacity = Math.Min(items.Length, scores.Length);
        _items = items[..capacity];
        _scores = scores[..capacity];
    }

    public readonly bool IsFull => _size == _items.Length;

    /// <summary>The score an item must beat to enter: the worst kept score once full, −∞ before.</summary>
    public readonly float Threshold => IsFull && _size > 0 ? _scores[0] : float.NegativeInfinity;

    /// <summary>Whether an item with this score would enter (the caller may then check its filter and offer it).</summary>
    public readonly bool Admits(float score) => _items.Length > 0 && (IsFull ? score > _scores[0] : !float.IsNaN(score));

    public void Offer(int item, float score)
    {
        if (!Admits(score))
        {
            return;
        }
        if (IsFull)
        {
            _scores[0] = score;
            _items[0] = item;
            SiftDown(0, _size);
            return;
        }
        _scores[_size] = score;
        _items[_size] = item;
        SiftUp(_size);
        _size++;
    }

    /// <summary>Orders the kept items best first in the spans and returns how many there are; the heap is then spent.</summary>
    public int Finish()
    {
        var count = _size;
        // Pop the worst to the back until the heap is empty: the spans end up best first.
        for (var end = count - 1; end > 0; end--)
        {
            (_scores[0], _scores[end]) = (_scores[end], _scores[0]);
            (_items[0], _items[end]) = (_items[end], _items[0]);
            SiftDown(0, end);
        }
        _size = 0;
        return count;
    }

    private readonly bool IsWorse(int a, int b) =>
        _scores[a] < _scores[b] || (_scores[a] == _scores[b] && _items[a] > _items[b]);

    private readonly void Swap(int a, int b)
    {
        (_scores[a], _scores[b]) = (_scores[b], _scores[a]);
        (_items[a], _items[b]) = (_items[b], _items[a]);
    }

    private readonly void SiftUp(int position)
    {
        while (position > 0)
        {
            var parent = (position - 1) >> 1;
            if (!IsWorse(position, parent))
            {
                return;
            }
            Swap(position, parent);
            position = parent;
        }
    }

    private readonly void SiftDown(int position, int size)
    {
        while (true)
        {
            var worst = position;
            var left = 2 * position + 1;
            var right = left + 1;
            if (left < size && IsWorse(left, worst))
            {
                worst = left;
            }
            if (right < size && IsWorse(right, worst))
            {
                worst = right;
            }
            if (worst == position)
            {
                return;
            }
            Swap(position, worst);
            position = worst;
        }
    }
}
