namespace Recommender.Model.Evaluation;

/// <summary>
/// A model that can score a user it was not trained on from a viewing history alone (the session endpoint's case).
/// </summary>
public interface IHistoryScorer
{
    int ItemCount { get; }

    /// <summary>
    /// Writes the scores of all items after <paramref name="history"/> (item indices, oldest first; may be empty) into
    /// <paramref name="scores"/> ([ItemCount]). Higher is better; the caller excludes the history's items itself.
    /// </summary>
    void ScoreHistory(ReadOnlySpan<int> history, Span<float> scores);
}
