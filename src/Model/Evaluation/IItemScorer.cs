namespace Recommender.Model.Evaluation;

/// <summary>A trained model seen by the evaluator: scores every item of the index space for a batch of users.</summary>
public interface IItemScorer
{
    int ItemCount { get; }

    /// <summary>
    /// Writes the scores of all items for each user into <paramref name="scores"/>, row-major
    /// ([users.Length, ItemCount]). Higher is better. The evaluator excludes seen items itself.
    /// </summary>
    void ScoreUsers(ReadOnlySpan<int> users, Span<float> scores);
}
