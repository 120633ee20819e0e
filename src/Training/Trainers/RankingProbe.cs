using Recommender.Model.Evaluation;

namespace Recommender.Training.Trainers;

/// <summary>Top-k ranking metrics averaged over the users that have at least one relevant item.</summary>
internal sealed record RankingResult(double Ndcg, double Map, double HitRate, double Recall, double Precision, int Users);

/// <summary>
/// A small top-k evaluator used for validation during training (binary relevance, excluded items removed from the
/// ranking, ties broken by lower item index). It stands in for Recommender.Model.Evaluation.RankingEvaluator, which
/// is developed separately; the definitions match it: ndcg = DCG / ideal DCG over min(|relevant|, k) positions,
/// map = sum of precision at each hit in the top k divided by |relevant|.
/// </summary>
internal static class RankingProbe
{
    /// <summary>
    /// The users with validation items, ascending; a sample of <see cref="TrainingOptions.MaxValidationUsers"/> seeded
    /// by the training seed when there are more.
    /// </summary>
    public static int[] ValidationUsers(ItemSets validationItems, TrainingOptions options)
    {
        var users = Enumerable.Range(0, validationItems.UserCount).Where(u => validationItems.Count(u) > 0).ToArray();
        if (users.Length > options.MaxValidationUsers)
        {
            new Random(options.Seed + 1).Shuffle(users);
            users = users[..options.MaxValidationUsers];
            Array.Sort(users);
        }
        return users;
    }

    public static RankingResult Evaluate(IItemScorer scorer, ItemSets excluded, ItemSets relevant, int k, IReadOnlyList<int>? users = null, int batchSize = 256)
    {
        var candidates = users ?? Enumerable.Range(0, relevant.UserCount).ToList();
        var evaluated = candidates.Where(u => relevant.Count(u) > 0).ToArray();
        var itemCount = scorer.ItemCount;
        var scores = new float[Math.Min(batchSize, Math.Max(1, evaluated.Length)) * itemCount];
        var top = new int[k];
        double ndcg = 0, map = 0, hits = 0, recall = 0, precision = 0;
        for (var start = 0; start < evaluated.Length; start += batchSize)
        {
            var batch = evaluated.AsSpan(start, Math.Min(batchSize, evaluated.Length - start));
            scorer.ScoreUsers(batch, scores.AsSpan(0, batch.Length * itemCount));
            for (var b = 0; b < batch.Length; b++)
            {
                var user = batch[b];
                var row = scores.AsSpan(b * itemCount, itemCount);
                foreach (var item in excluded.ItemsOf(user))
                {
                    row[item] = float.NegativeInfinity;
                }
                var found = TopK(row, top);
                var targets = relevant.ItemsOf(user);
                double dcg = 0, precisionSum = 0;
                var hitCount = 0;
                for (var rank = 0; rank < found; rank++)
                {
                    if (targets.BinarySearch(top[rank]) >= 0)
                    {
                        hitCount++;
                        dcg += 1 / Math.Log2(rank + 2);
                        precisionSum += (double)hitCount / (rank + 1);
                    }
                }
                double ideal = 0;
                for (var rank = 0; rank < Math.Min(targets.Length, k); rank++)
                {
                    ideal += 1 / Math.Log2(rank + 2);
                }
                ndcg += dcg / ideal;
                map += precisionSum / targets.Length;
                hits += hitCount > 0 ? 1 : 0;
                recall += (double)hitCount / targets.Length;
                precision += (double)hitCount / k;
            }
        }
        var n = Math.Max(1, evaluated.Length);
        return new RankingResult(ndcg / n, map / n, hits / n, recall / n, precision / n, evaluated.Length);
    }

    /// <summary>Indices of the k highest finite scores, best first (lower index first among equals); returns how many.</summary>
    private static int TopK(ReadOnlySpan<float> scores, int[] top)
    {
        var k = top.Length;
        var count = 0;
        for (var item = 0; item < scores.Length; item++)
        {
            var score = scores[item];
            if (float.IsNegativeInfinity(score) || float.IsNaN(score))
            {
                continue;
            }
            if (count == k && score <= scores[top[k - 1]])
            {
                continue;
            }
            var position = count < k ? count++ : k - 1;
            while (position > 0 && scores[top[position - 1]] < score)
            {
                top[position] = top[position - 1];
                position--;
            }
            top[position] = item;
        }
        return count;
    }
}
