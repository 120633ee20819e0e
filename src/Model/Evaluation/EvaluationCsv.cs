using System.Globalization;
using Recommender.Model.Data;

namespace Recommender.Model.Evaluation;

/// <summary>
/// The CSV exports that let anyone recompute the ranking metrics: held-out interactions and top-k lists,
/// with raw MovieLens ids, comma-separated, LF line ends, invariant culture.
/// </summary>
public static class EvaluationCsv
{
    public const string TestHeader = "userId,movieId";
    public const string RecommendationsHeader = "userId,rank,movieId,score";

    /// <summary>Writes <paramref name="heldOut"/> (for example <see cref="DataSplit.Test"/>) as <c>userId,movieId</c>.</summary>
    public static void WriteInteractions(string path, InteractionTable heldOut, MovieLensDataset dataset)
    {
        using var writer = CreateWriter(path);
        writer.Write(TestHeader + "\n");
        var users = heldOut.Users;
        var items = heldOut.Items;
        for (var row = 0; row < heldOut.Count; row++)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"{dataset.Users.GetRawId(users[row])},{dataset.Items.GetRawId(items[row])}\n"));
        }
    }

    /// <summary>Writes every list as <c>userId,rank,movieId,score</c>, rank 1-based, score round-trippable.</summary>
    public static void WriteRecommendations(string path, TopKLists lists, MovieLensDataset dataset)
    {
        using var writer = CreateWriter(path);
        writer.Write(RecommendationsHeader + "\n");
        for (var row = 0; row < lists.Count; row++)
        {
            var userId = dataset.Users.GetRawId(lists.Users[row]);
            var items = lists.ItemsOf(row);
            var scores = lists.ScoresOf(row);
            for (var position = 0; position < items.Length; position++)
            {
                // float.ToString() is the shortest text that parses back to the same float.
                writer.Write(string.Create(CultureInfo.InvariantCulture,
                    $"{userId},{position + 1},{dataset.Items.GetRawId(items[position])},{scores[position]}\n"));
            }
        }
    }

    private static StreamWriter CreateWriter(string path) =>
        new(path, append: false, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16);
}
