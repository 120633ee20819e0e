using Recommender.Model.Evaluation;

namespace Recommender.Training.Trainers;

/// <summary>The validation ranking the trainers stop early on: the model evaluator on a seeded sample of users.</summary>
internal static class RankingProbe
{
    private static readonly RankingEvaluator Evaluator = new();

    /// <summary>
    /// The users with validation items, ascending; a sample of <see cref="TrainingOptions.MaxValidationUsers"/> seeded
    /// by the training seed when there are more.
    /// </summary>
    public static int[] ValidationUsers(UserItemLists validationItems, TrainingOptions options)
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

    /// <summary>ndcg@k of <paramref name="users"/> ranking the catalogue without their training items.</summary>
    public static double ValidationNdcg(IItemScorer scorer, UserItemLists trainItems, UserItemLists validationItems, IReadOnlyList<int> users, int k) =>
        Evaluator.Evaluate(scorer, trainItems, validationItems, users, k).Ndcg;
}
