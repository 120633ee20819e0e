using Recommender.Model.Data;

namespace Recommender.Model.Evaluation;

/// <summary>
/// Microsoft Recommenders' <c>python_stratified_split</c>: within each group (user by default, see
/// <see cref="StratifyBy"/>) the interactions are shuffled with the seed and the first
/// round(ratio × n) (numpy's round half to even) go to training, the rest to Test. Every held-out interaction
/// counts as relevant whatever its rating. Validation is then carved from each user's training part
/// (round(validationRatio × n), again shuffled), so Test stays exactly the held-out share.
/// </summary>
public sealed class StratifiedSplit : ISplitProtocol
{
    private readonly StratifiedSplitOptions _options;
    private readonly int _k;

    public StratifiedSplit(StratifiedSplitOptions options, int k)
    {
        if (!(options.TrainRatio > 0 && options.TrainRatio < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.TrainRatio, "TrainRatio must lie strictly between 0 and 1.");
        }
        if (!(options.ValidationRatio >= 0 && options.ValidationRatio < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ValidationRatio, "ValidationRatio must lie in [0, 1).");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        _options = options;
        _k = k;
    }

    public string Name => SplitProtocols.Stratified;

    public DataSplit Split(MovieLensDataset dataset, int seed)
    {
        var interactions = dataset.Interactions;
        var parts = new SplitPart[interactions.Count];
        var random = new Random(seed);

        var byUser = _options.StratifyBy == StratifyBy.User;
        var groupCount = byUser ? interactions.UserCount : interactions.ItemCount;
        var (starts, rows) = SplitAssignment.GroupRows(byUser ? interactions.Users : interactions.Items, groupCount, parts);
        for (var group = 0; group < groupCount; group++)
        {
            var groupRows = rows.AsSpan(starts[group], starts[group + 1] - starts[group]);
            random.Shuffle(groupRows);
            var trainCount = RoundHalfToEven(_options.TrainRatio * groupRows.Length);
            foreach (var row in groupRows[trainCount..])
            {
                parts[row] = SplitPart.Test;
            }
        }

        var (userStarts, userRows) = SplitAssignment.GroupRows(interactions.Users, interactions.UserCount, parts);
        var trainRows = new List<int>();
        for (var user = 0; user < interactions.UserCount; user++)
        {
            trainRows.Clear();
            foreach (var row in userRows.AsSpan(userStarts[user], userStarts[user + 1] - userStarts[user]))
            {
                if (parts[row] == SplitPart.Train)
                {
                    trainRows.Add(row);
                }
            }
            var userTrain = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(trainRows);
            random.Shuffle(userTrain);
            var validationCount = RoundHalfToEven(_options.ValidationRatio * userTrain.Length);
            foreach (var row in userTrain[..validationCount])
            {
                parts[row] = SplitPart.Validation;
            }
        }

        var parameters = new Dictionary<string, string>
        {
            ["ratio"] = SplitAssignment.Format(_options.TrainRatio),
            ["stratify_by"] = _options.StratifyBy == StratifyBy.User ? "user" : "item",
            ["validation_ratio"] = SplitAssignment.Format(_options.ValidationRatio),
        };
        return SplitAssignment.ToSplit(dataset, parts, Name, seed, _k, parameters);
    }

    private static int RoundHalfToEven(double value) => (int)Math.Round(value, MidpointRounding.ToEven);
}
