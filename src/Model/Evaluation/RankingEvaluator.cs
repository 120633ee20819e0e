using System.Buffers;
using System.Numerics.Tensors;
using Recommender.Model.Data;
using Recommender.Model.Engine;

namespace Recommender.Model.Evaluation;

/// <summary>Which held-out table of a split is ranked against.</summary>
public enum EvaluationTarget
{
    /// <summary>Validation, excluding the items each user has in Train (for early stopping).</summary>
    Validation,

    /// <summary>Test, excluding the items each user has in Train, Validation or (session protocol) Sessions.</summary>
    Test,
}

/// <summary>The top-k lists of the evaluated users, in ascending user index; row r belongs to <c>Users[r]</c>.</summary>
public sealed class TopKLists
{
    private readonly int[] _users;
    private readonly int[] _counts;
    private readonly int[] _items;
    private readonly float[] _scores;

    internal TopKLists(int k, int[] users)
    {
        K = k;
        _users = users;
        _counts = new int[users.Length];
        _items = new int[users.Length * k];
        _scores = new float[users.Length * k];
    }

    public int K { get; }

    public int Count => _users.Length;

    public ReadOnlySpan<int> Users => _users;

    /// <summary>The items of row <paramref name="row"/>, best first (fewer than k when fewer candidates were left).</summary>
    public ReadOnlySpan<int> ItemsOf(int row) => _items.AsSpan(row * K, _counts[row]);

    public ReadOnlySpan<float> ScoresOf(int row) => _scores.AsSpan(row * K, _counts[row]);

    internal Span<int> ItemSlot(int row) => _items.AsSpan(row * K, K);

    internal Span<float> ScoreSlot(int row) => _scores.AsSpan(row * K, K);

    internal void SetCount(int row, int count) => _counts[row] = count;
}

public sealed record RankingResult(EvaluationTarget Target, RankingMetricsSummary Metrics, TopKLists Recommendations);

/// <summary>
/// Full-catalogue ranking evaluation. Users with at least one item in the target table are scored in batches,
/// the items they have in the excluded tables are skipped, and the top k is taken by partial selection
/// (ties to the lower item index). Metrics follow <see cref="RankingMetrics"/>; coverage is distinct recommended
/// items over the size of the item index space.
/// </summary>
public sealed class RankingEvaluator
{
    public const int DefaultBatchSize = 256;

    private readonly int _batchSize;
    private readonly int _maxDegreeOfParallelism;

    /// <param name="batchSize">Users scored per <see cref="IItemScorer.ScoreUsers"/> call.</param>
    /// <param name="maxDegreeOfParallelism">Threads selecting top-k lists; -1 uses all cores.</param>
    public RankingEvaluator(int batchSize = DefaultBatchSize, int maxDegreeOfParallelism = -1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _batchSize = batchSize;
        _maxDegreeOfParallelism = maxDegreeOfParallelism;
    }

    public RankingResult Evaluate(DataSplit split, EvaluationTarget target, IItemScorer scorer, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var itemCount = split.Train.ItemCount;
        if (scorer.ItemCount != itemCount)
        {
            throw new ArgumentException(
                $"The scorer ranks {scorer.ItemCount} items but the split's item index space has {itemCount}.", nameof(scorer));
        }

        var relevant = UserItemLists.Build(target == EvaluationTarget.Test ? [split.Test] : [split.Validation]);
        var excluded = UserItemLists.Build(target == EvaluationTarget.Test
            ? [split.Train, split.Validation, .. split.Sessions is null ? Array.Empty<InteractionTable>() : [split.Sessions]]
            : [split.Train]);
        var (summary, lists) = Rank(scorer, excluded, relevant, relevant.UsersWithItems(), k);
        return new RankingResult(target, summary, lists);
    }

    /// <summary>
    /// The metrics of <paramref name="users"/> (ascending; those without relevant items are skipped): each user's
    /// <paramref name="excluded"/> items are left out of the ranking, <paramref name="relevant"/> items are the hits.
    /// Training validates with it on a sample of users.
    /// </summary>
    public RankingMetricsSummary Evaluate(IItemScorer scorer, UserItemLists excluded, UserItemLists relevant, IReadOnlyList<int> users, int k)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return Rank(scorer, excluded, relevant, [.. users.Where(user => relevant.Count(user) > 0)], k).Summary;
    }

    private (RankingMetricsSummary Summary, TopKLists Lists) Rank(IItemScorer scorer, UserItemLists excluded, UserItemLists relevant, int[] users, int k)
    {
        var itemCount = scorer.ItemCount;
        var lists = new TopKLists(k, users);
        var perUser = new UserRankingMetrics[users.Length];

        var parallelOptions = new ParallelOptions { MaxDegreeOfParallelism = _maxDegreeOfParallelism };
        var scores = ArrayPool<float>.Shared.Rent(Math.Min(_batchSize, Math.Max(users.Length, 1)) * itemCount);
        try
        {
            for (var batchStart = 0; batchStart < users.Length; batchStart += _batchSize)
            {
                var batchUsers = users.AsSpan(batchStart, Math.Min(_batchSize, users.Length - batchStart));
                var batchScores = scores.AsSpan(0, batchUsers.Length * itemCount);
                scorer.ScoreUsers(batchUsers, batchScores);
                ThrowOnNaN(batchScores, batchUsers, itemCount);
                var firstRow = batchStart;
                Parallel.For(
                    0,
                    batchUsers.Length,
                    parallelOptions,
                    () => new SelectionWorker(itemCount, k),
                    (batchRow, _, worker) =>
                    {
                        var row = firstRow + batchRow;
                        var user = users[row];
                        var userScores = scores.AsSpan(batchRow * itemCount, itemCount);
                        perUser[row] = worker.RankUser(userScores, excluded.ItemsOf(user), relevant.ItemsOf(user), lists, row);
                        return worker;
                    },
                    _ => { });
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }

        return (Summarize(perUser, lists, itemCount, k), lists);
    }

    private static void ThrowOnNaN(ReadOnlySpan<float> batchScores, ReadOnlySpan<int> batchUsers, int itemCount)
    {
        // IndexOfMax reports the first NaN when there is one.
        var index = TensorPrimitives.IndexOfMax(batchScores);
        if (index >= 0 && float.IsNaN(batchScores[index]))
        {
            throw new InvalidOperationException(
                $"The scorer returned NaN for user index {batchUsers[index / itemCount]}, item index {index % itemCount}.");
        }
    }

    private static RankingMetricsSummary Summarize(UserRankingMetrics[] perUser, TopKLists lists, int itemCount, int k)
    {
        double precision = 0, recall = 0, ndcg = 0, map = 0, hitRate = 0, mrr = 0;
        foreach (var metrics in perUser)
        {
            precision += metrics.Precision;
            recall += metrics.Recall;
            ndcg += metrics.Ndcg;
            map += metrics.AveragePrecision;
            hitRate += metrics.Hit;
            mrr += metrics.ReciprocalRank;
        }
        var recommended = new bool[itemCount];
        var distinctRecommended = 0;
        for (var row = 0; row < lists.Count; row++)
        {
            foreach (var item in lists.ItemsOf(row))
            {
                if (!recommended[item])
                {
                    recommended[item] = true;
                    distinctRecommended++;
                }
            }
        }
        var users = perUser.Length;
        var divisor = Math.Max(users, 1);
        return new RankingMetricsSummary(
            k, users, precision / divisor, recall / divisor, ndcg / divisor, map / divisor, hitRate / divisor, mrr / divisor,
            itemCount == 0 ? 0 : (double)distinctRecommended / itemCount);
    }

    /// <summary>Per-thread scratch: the exclusion bit mask and the hit flags.</summary>
    private sealed class SelectionWorker(int itemCount, int k)
    {
        private readonly ulong[] _excluded = new ulong[ItemFilter.BitsetLength(itemCount)];
        private readonly bool[] _hits = new bool[k];

        public UserRankingMetrics RankUser(
            ReadOnlySpan<float> scores, ReadOnlySpan<int> excludedItems, ReadOnlySpan<int> relevantItems, TopKLists lists, int row)
        {
            foreach (var item in excludedItems)
            {
                ItemFilter.Set(_excluded, item);
            }
            var count = TopKSelector.Select(scores, ItemFilter.Excluding(_excluded), lists.ItemSlot(row), lists.ScoreSlot(row));
            foreach (var item in excludedItems)
            {
                _excluded[item >> 6] &= ~(1UL << item);
            }
            lists.SetCount(row, count);
            var top = lists.ItemsOf(row);
            for (var position = 0; position < count; position++)
            {
                _hits[position] = relevantItems.BinarySearch(top[position]) >= 0;
            }
            return RankingMetrics.ForUser(_hits.AsSpan(0, count), relevantItems.Length, k);
        }
    }
}
