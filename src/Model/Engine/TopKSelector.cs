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
        var capacity = Math.Min(items.Length, bestScores.Length);
        if (capacity == 0)
        {
            return 0;
        }
        // Min-heap on (score, then higher index = worse): the root is the worst of the kept items.
        var heapScores = bestScores[..capacity];
        var heapItems = items[..capacity];
        var size = 0;
        for (var item = 0; item < scores.Length; item++)
        {
            var score = scores[item];
            if (size == capacity)
            {
                // Items arrive in ascending index order, so an equal score never displaces the root.
                if (!(score > heapScores[0]) || !filter.Accepts(item))
                {
                    continue;
                }
                heapScores[0] = score;
                heapItems[0] = item;
                SiftDown(heapScores, heapItems, 0, size);
            }
            else
            {
                if (float.IsNaN(score) || !filter.Accepts(item))
                {
                    continue;
                }
                heapScores[size] = score;
                heapItems[size] = item;
                SiftUp(heapScores, heapItems, size);
                size++;
            }
        }
        // Pop the worst to the back until the heap is empty: the arrays end up best first.
        for (var end = size - 1; end > 0; end--)
        {
            (heapScores[0], heapScores[end]) = (heapScores[end], heapScores[0]);
            (heapItems[0], heapItems[end]) = (heapItems[end], heapItems[0]);
            SiftDown(heapScores, heapItems, 0, end);
        }
        return size;
    }

    private static bool IsWorse(float scoreA, int itemA, float scoreB, int itemB) =>
        scoreA < scoreB || (scoreA == scoreB && itemA > itemB);

    private static void SiftUp(Span<float> scores, Span<int> items, int position)
    {
        while (position > 0)
        {
            var parent = (position - 1) >> 1;
            if (!IsWorse(scores[position], items[position], scores[parent], items[parent]))
            {
                return;
            }
            (scores[position], scores[parent]) = (scores[parent], scores[position]);
            (items[position], items[parent]) = (items[parent], items[position]);
            position = parent;
        }
    }

    private static void SiftDown(Span<float> scores, Span<int> items, int position, int size)
    {
        while (true)
        {
            var worst = position;
            var left = 2 * position + 1;
            var right = left + 1;
            if (left < size && IsWorse(scores[left], items[left], scores[worst], items[worst]))
            {
                worst = left;
            }
            if (right < size && IsWorse(scores[right], items[right], scores[worst], items[worst]))
            {
                worst = right;
            }
            if (worst == position)
            {
                return;
            }
            (scores[position], scores[worst]) = (scores[worst], scores[position]);
            (items[position], items[worst]) = (items[worst], items[position]);
            position = worst;
        }
    }
}
