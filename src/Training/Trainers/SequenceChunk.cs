namespace Recommender.Training.Trainers;

/// <summary>
/// A window of one user's history: inputs at absolute positions [Start, Start + Length), next-movie targets one
/// later; the final (most recent) window has no target after its last step.
/// </summary>
internal readonly record struct SequenceChunk(int User, int Start, int Length, bool IsFinal)
{
    /// <summary>
    /// Windows of at most L inputs over each user's training history, aligned to its end. The final window holds the
    /// most recent L movies, as at inference: each of its steps but the last has the next movie as target, the last
    /// carries the history loss. Earlier windows end where the next begins and target the next movie at every step.
    /// </summary>
    public static List<SequenceChunk>[] Split(UserHistories histories, int maxLength)
    {
        var chunksByUser = new List<SequenceChunk>[histories.UserCount];
        for (var user = 0; user < histories.UserCount; user++)
        {
            var chunks = chunksByUser[user] = [];
            var offset = histories.Offsets[user];
            var length = histories.Length(user);
            if (length == 0)
            {
                continue;
            }
            var start = offset + Math.Max(0, length - maxLength);
            chunks.Add(new SequenceChunk(user, start, offset + length - start, IsFinal: true));
            var end = start;
            while (end > offset)
            {
                start = Math.Max(offset, end - maxLength);
                chunks.Add(new SequenceChunk(user, start, end - start, IsFinal: false));
                end = start;
            }
        }
        return chunksByUser;
    }
}
