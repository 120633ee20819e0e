using Recommender.Model.Data;
using Recommender.Model.Evaluation;

namespace Recommender.Training.Tests.Models;

/// <summary>The leave-one-out split of the tests' small synthetic data sets; users with fewer than 3 interactions stay in training.</summary>
internal static class TestData
{
    /// <summary>The model evaluator over every user with relevant items.</summary>
    public static RankingMetricsSummary Rank(IItemScorer scorer, UserItemLists excluded, UserItemLists relevant, int k) =>
        new RankingEvaluator().Evaluate(scorer, excluded, relevant, relevant.UsersWithItems(), k);

    /// <summary>Per user by time: the last interaction is the test, the one before validation, the rest training.</summary>
    public static DataSplit LeaveOneOut(MovieLensDataset dataset)
    {
        var interactions = dataset.Interactions;
        var train = new List<int>();
        var validation = new List<int>();
        var test = new List<int>();
        foreach (var rows in RowsByUser(interactions))
        {
            var ordered = rows.OrderBy(r => interactions.Timestamps[r]).ThenBy(r => r).ToArray();
            if (ordered.Length < 3)
            {
                train.AddRange(ordered);
                continue;
            }
            test.Add(ordered[^1]);
            validation.Add(ordered[^2]);
            train.AddRange(ordered[..^2]);
        }
        return Split(dataset, "leave-one-out", 0, train, validation, test);
    }

    private static List<List<int>> RowsByUser(InteractionTable table)
    {
        var rows = Enumerable.Range(0, table.UserCount).Select(_ => new List<int>()).ToList();
        for (var row = 0; row < table.Count; row++)
        {
            rows[table.Users[row]].Add(row);
        }
        return rows;
    }

    private static DataSplit Split(MovieLensDataset dataset, string protocol, int seed, List<int> train, List<int> validation, List<int> test)
    {
        train.Sort();
        validation.Sort();
        test.Sort();
        return new DataSplit
        {
            Dataset = dataset,
            Protocol = protocol,
            Seed = seed,
            K = 10,
            Parameters = new Dictionary<string, string>(),
            Train = dataset.Interactions.Select([.. train]),
            Validation = dataset.Interactions.Select([.. validation]),
            Test = dataset.Interactions.Select([.. test]),
        };
    }
}
