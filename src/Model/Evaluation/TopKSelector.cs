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
        for (var item = 0; item < scores.Length; item++)
        {
            var score = scores[item];
            if (_count == k)
            {
                if (!(score > _scores[0]) || excluded[item])
                {
                    continue;
                }
                _items[0] = item;
                _scores[0] = score;
                SiftDown(0);
            }
            else if (!excluded[item])
            {
                _items[_count] = item;
                _scores[_count] = score;
                SiftUp(_count++);
            }
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
