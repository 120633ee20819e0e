using System.Globalization;
using Recommender.Model.Data;

namespace Recommender.Model.Evaluation;

/// <summary>
/// A global time cut T, the way scheduled retraining runs: training is everything strictly before T, Test
/// everything from T on. A quantile cut q puts T at the timestamp of the interaction at position ⌊q·n⌋ in time
/// order. Validation is the latest <see cref="TemporalSplitOptions.ValidationFraction"/> of the training period,
/// cut the same way, except rows whose user or movie Train lacks: those stay in Train, so that Validation, like
/// Test, only asks about known users and movies and no training data is lost. Test rows whose user or movie is
/// not in the training period are dropped (a model cannot rank for a user or movie it never saw); the rows and
/// the distinct cold users and movies are counted in the parameters. The seed does not change the result.
/// </summary>
public sealed class TemporalSplit : ISplitProtocol
{
    private readonly TemporalSplitOptions _options;
    private readonly int _k;

    public TemporalSplit(TemporalSplitOptions options, int k)
    {
        if (!(options.ValidationFraction >= 0 && options.ValidationFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ValidationFraction, "ValidationFraction must lie in [0, 1).");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        _options = options;
        _k = k;
    }

    public string Name => SplitProtocols.Temporal;

    public DataSplit Split(MovieLensDataset dataset, int seed)
    {
        var interactions = dataset.Interactions;
        if (interactions.Count == 0)
        {
            throw new InvalidOperationException($"Data set '{dataset.Name}' has no interactions to split.");
        }
        var timestamps = interactions.Timestamps;
        var sorted = timestamps.ToArray();
        Array.Sort(sorted);

        var parameters = new Dictionary<string, string>();
        long cut;
        switch (_options.Cut)
        {
            case TemporalCut.QuantileCut quantileCut:
                cut = AtQuantile(sorted, quantileCut.Quantile);
                parameters["cut_quantile"] = SplitAssignment.Format(quantileCut.Quantile);
                break;
            case TemporalCut.InstantCut instantCut:
                // Timestamps are whole seconds: "before a fractional instant" is "before the next whole second".
                var milliseconds = instantCut.Instant.ToUnixTimeMilliseconds();
                cut = milliseconds / 1000 + (milliseconds % 1000 > 0 ? 1 : 0);
                break;
            default:
                throw new InvalidOperationException($"Unsupported temporal cut {_options.Cut}.");
        }

        var trainingCount = CountBefore(sorted, cut);
        if (trainingCount == 0 || trainingCount == sorted.Length)
        {
            throw new InvalidOperationException(
                $"The temporal cut at {FormatInstant(cut)} leaves {(trainingCount == 0 ? "no training" : "no test")} interactions " +
                $"(data set '{dataset.Name}' runs from {FormatInstant(sorted[0])} to {FormatInstant(sorted[^1])}).");
        }
        var validationCut = _options.ValidationFraction > 0
            ? AtQuantile(sorted.AsSpan(0, trainingCount), 1 - _options.ValidationFraction)
            : cut;

        var parts = new SplitPart[interactions.Count];
        for (var row = 0; row < parts.Length; row++)
        {
            var timestamp = timestamps[row];
            parts[row] = timestamp >= cut ? SplitPart.Test
                : timestamp >= validationCut ? SplitPart.Validation
                : SplitPart.Train;
        }

        var users = interactions.Users;
        var items = interactions.Items;
        var (trainUsers, trainItems) = Known(parts, users, items, interactions.UserCount, interactions.ItemCount, includeValidation: false);
        var validationMovedToTrain = 0;
        for (var row = 0; row < parts.Length; row++)
        {
            if (parts[row] == SplitPart.Validation && (!trainUsers[users[row]] || !trainItems[items[row]]))
            {
                parts[row] = SplitPart.Train;
                validationMovedToTrain++;
            }
        }

        var (knownUsers, knownItems) = Known(parts, users, items, interactions.UserCount, interactions.ItemCount, includeValidation: true);
        var coldUsers = new HashSet<int>();
        var coldItems = new HashSet<int>();
        var testDropped = 0;
        for (var row = 0; row < parts.Length; row++)
        {
            if (parts[row] != SplitPart.Test || (knownUsers[users[row]] && knownItems[items[row]]))
            {
                continue;
            }
            parts[row] = SplitPart.Removed;
            testDropped++;
            if (!knownUsers[users[row]])
            {
                coldUsers.Add(users[row]);
            }
            if (!knownItems[items[row]])
            {
                coldItems.Add(items[row]);
            }
        }

        parameters["cut"] = FormatInstant(cut);
        parameters["cut_timestamp"] = cut.ToString(CultureInfo.InvariantCulture);
        parameters["validation_fraction"] = SplitAssignment.Format(_options.ValidationFraction);
        parameters["validation_cut"] = FormatInstant(validationCut);
        parameters["validation_cold_rows_in_train"] = validationMovedToTrain.ToString(CultureInfo.InvariantCulture);
        parameters["test_dropped_rows"] = testDropped.ToString(CultureInfo.InvariantCulture);
        parameters["test_cold_users"] = coldUsers.Count.ToString(CultureInfo.InvariantCulture);
        parameters["test_cold_items"] = coldItems.Count.ToString(CultureInfo.InvariantCulture);
        return SplitAssignment.ToSplit(dataset, parts, Name, seed, _k, parameters);
    }

    /// <summary>The users and items that occur in the Train rows (and the Validation rows if asked).</summary>
    private static (bool[] Users, bool[] Items) Known(
        SplitPart[] parts, ReadOnlySpan<int> users, ReadOnlySpan<int> items, int userCount, int itemCount, bool includeValidation)
    {
        var knownUsers = new bool[userCount];
        var knownItems = new bool[itemCount];
        for (var row = 0; row < parts.Length; row++)
        {
            if (parts[row] == SplitPart.Train || (includeValidation && parts[row] == SplitPart.Validation))
            {
                knownUsers[users[row]] = true;
                knownItems[items[row]] = true;
            }
        }
        return (knownUsers, knownItems);
    }

    private static long AtQuantile(ReadOnlySpan<long> sortedTimestamps, double quantile) =>
        sortedTimestamps[Math.Min(sortedTimestamps.Length - 1, (int)Math.Floor(quantile * sortedTimestamps.Length))];

    private static int CountBefore(long[] sortedTimestamps, long cut)
    {
        var index = Array.BinarySearch(sortedTimestamps, cut);
        if (index < 0)
        {
            return ~index;
        }
        while (index > 0 && sortedTimestamps[index - 1] == cut)
        {
            index--;
        }
        return index;
    }

    private static string FormatInstant(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
