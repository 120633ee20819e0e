using Recommender.Model.Evaluation;

namespace Recommender.Training.Trainers;

/// <summary>
/// One step's sequence windows laid out for the LSTM: padded inputs [windows, width] with their keep mask (input
/// dropout), which windows stand in for an anonymous user, and the loss positions (flat b * width + t): first every
/// next-movie target, then the last step of each final window with the training movies it does not show (the
/// history loss). Draws from the session's <see cref="Random"/> in a fixed order, so a seeded run repeats.
/// </summary>
internal sealed record SequenceBatch(
    IReadOnlyList<SequenceChunk> Chunks,
    int Width,
    long[] Inputs,
    float[] Keep,
    int[] ChunkUsers,
    bool[] Anonymous,
    List<long> Positions,
    List<long> PositionRows,
    List<long> Targets,
    List<long> TargetUsers,
    int NextCount,
    List<int[]> UnseenSets)
{
    public static SequenceBatch Build(List<SequenceChunk> chunks, UserHistories histories, UserItemLists trainItems, TrainingOptions options, Random random)
    {
        var width = chunks.Max(c => c.Length);
        var inputs = new long[chunks.Count * width];
        var keep = new float[chunks.Count * width];
        var chunkUsers = new int[chunks.Count];
        var anonymous = new bool[chunks.Count];
        // Positions (flat b * width + t) with a next-movie target, then the last steps of final windows.
        var positions = new List<long>();
        var positionRows = new List<long>();
        var targets = new List<long>();
        var targetUsers = new List<long>();
        for (var b = 0; b < chunks.Count; b++)
        {
            var chunk = chunks[b];
            chunkUsers[b] = chunk.User;
            anonymous[b] = random.NextDouble() < options.AnonymousRate;
            for (var t = 0; t < chunk.Length; t++)
            {
                inputs[b * width + t] = histories.Items[chunk.Start + t];
                keep[b * width + t] = random.NextDouble() < options.InputDropout ? 0 : 1;
            }
            var targetCount = options.NextItemLossWeight == 0 ? 0 : chunk.IsFinal ? chunk.Length - 1 : chunk.Length;
            for (var t = 0; t < targetCount; t++)
            {
                positions.Add(b * width + t);
                positionRows.Add(b);
                targets.Add(histories.Items[chunk.Start + t + 1]);
                targetUsers.Add(chunk.User);
            }
        }
        var nextCount = positions.Count;
        var unseenSets = new List<int[]>();
        for (var b = 0; b < chunks.Count && options.HistoryLossWeight > 0; b++)
        {
            var chunk = chunks[b];
            if (!chunk.IsFinal)
            {
                continue;
            }
            var visible = new HashSet<int>();
            for (var t = 0; t < chunk.Length; t++)
            {
                if (keep[b * width + t] > 0)
                {
                    visible.Add(histories.Items[chunk.Start + t]);
                }
            }
            var unseen = trainItems.ItemsOf(chunk.User).ToArray().Where(i => !visible.Contains(i)).ToArray();
            if (unseen.Length > 0)
            {
                positions.Add(b * width + chunk.Length - 1);
                positionRows.Add(b);
                unseenSets.Add(unseen);
            }
        }
        return new SequenceBatch(chunks, width, inputs, keep, chunkUsers, anonymous, positions, positionRows, targets, targetUsers, nextCount, unseenSets);
    }
}
