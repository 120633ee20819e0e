using Recommender.Model.Data;
using Recommender.Model.Evaluation;

namespace Recommender.Model.Tests.Evaluation;

/// <summary>One raw MovieLens row for in-memory test data sets.</summary>
internal readonly record struct Rating(int UserId, int MovieId, float Value, long Timestamp);

/// <summary>Builds small data sets and splits in memory, the way ingestion lays them out.</summary>
internal static class TestDatasets
{
    public static MovieLensDataset Create(IEnumerable<Rating> ratings, string name = "test")
    {
        var rows = ratings.ToArray();
        var users = new IdIndex();
        var items = new IdIndex();
        var userColumn = new int[rows.Length];
        var itemColumn = new int[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            userColumn[i] = users.GetOrAdd(rows[i].UserId);
            itemColumn[i] = items.GetOrAdd(rows[i].MovieId);
        }
        var table = new InteractionTable(
            userColumn, itemColumn, [.. rows.Select(r => r.Value)], [.. rows.Select(r => r.Timestamp)], users.Count, items.Count);
        return new MovieLensDataset
        {
            Name = name,
            Format = "test",
            Scale = RatingScale.WholeStars,
            Interactions = table,
            Users = users,
            Items = items,
            Movies = items.RawIds.ToArray().ToDictionary(id => id, id => new MovieInfo(id, $"Movie {id}", null, [])),
            Fingerprint = "test",
            Report = new IngestionReport(),
        };
    }

    /// <summary>A data set where user u rates movies 1..counts[u] (ids 1-based) at timestamps 1000·u + movie.</summary>
    public static MovieLensDataset WithUserCounts(params int[] counts) =>
        Create(counts.SelectMany((count, user) =>
            Enumerable.Range(1, count).Select(movie => new Rating(user + 1, movie, 1 + movie % 5, 1000L * (user + 1) + movie))));

    /// <summary>A split with the given raw (userId, movieId) pairs per part; all ids must occur somewhere.</summary>
    public static DataSplit Split(
        (int User, int Movie)[] train, (int User, int Movie)[] validation, (int User, int Movie)[] test, int k = 10)
    {
        var all = train.Concat(validation).Concat(test).Select(p => new Rating(p.User, p.Movie, 4, 0)).ToArray();
        var dataset = Create(all);
        return new DataSplit
        {
            Dataset = dataset,
            Protocol = "manual",
            Seed = 0,
            K = k,
            Parameters = new Dictionary<string, string>(),
            Train = Table(dataset, train),
            Validation = Table(dataset, validation),
            Test = Table(dataset, test),
        };
    }

    public static InteractionTable Table(MovieLensDataset dataset, (int User, int Movie)[] pairs)
    {
        var users = pairs.Select(p => Index(dataset.Users, p.User)).ToArray();
        var items = pairs.Select(p => Index(dataset.Items, p.Movie)).ToArray();
        return new InteractionTable(
            users, items, new float[pairs.Length], new long[pairs.Length], dataset.Users.Count, dataset.Items.Count);
    }

    /// <summary>The raw (userId, movieId) pairs of a table.</summary>
    public static HashSet<(int User, int Movie)> Pairs(InteractionTable table, MovieLensDataset dataset)
    {
        var pairs = new HashSet<(int, int)>();
        for (var row = 0; row < table.Count; row++)
        {
            pairs.Add((dataset.Users.GetRawId(table.Users[row]), dataset.Items.GetRawId(table.Items[row])));
        }
        return pairs;
    }

    private static int Index(IdIndex index, int rawId) =>
        index.TryGetIndex(rawId, out var dense) ? dense : throw new ArgumentException($"Unknown id {rawId}.");
}

/// <summary>Scores from a fixed [users, items] matrix indexed by dense user index.</summary>
internal sealed class MatrixScorer(float[,] scores) : IItemScorer
{
    /// <summary>Scores given by raw (userId, movieId).</summary>
    public static MatrixScorer FromRawIds(MovieLensDataset dataset, Func<int, int, float> score)
    {
        var matrix = new float[dataset.Users.Count, dataset.Items.Count];
        for (var user = 0; user < dataset.Users.Count; user++)
        {
            for (var item = 0; item < dataset.Items.Count; item++)
            {
                matrix[user, item] = score(dataset.Users.GetRawId(user), dataset.Items.GetRawId(item));
            }
        }
        return new MatrixScorer(matrix);
    }

    public int ItemCount => scores.GetLength(1);

    public List<int> BatchSizes { get; } = [];

    public void ScoreUsers(ReadOnlySpan<int> users, Span<float> output)
    {
        BatchSizes.Add(users.Length);
        for (var row = 0; row < users.Length; row++)
        {
            for (var item = 0; item < ItemCount; item++)
            {
                output[row * ItemCount + item] = scores[users[row], item];
            }
        }
    }
}
