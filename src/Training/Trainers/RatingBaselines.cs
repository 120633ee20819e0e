namespace Recommender.Training.Trainers;

/// <summary>The rating head's starting point: the global mean and the regularised user and item biases.</summary>
internal static class RatingBaselines
{
    /// <summary>
    /// Regularised baseline estimates (Koren 2008): item biases first, shrunk by 25 pseudo-ratings, then user biases
    /// on the residuals, shrunk by 10.
    /// </summary>
    public static (float[] Users, float[] Items) Biases(Model.Data.InteractionTable train, float mean)
    {
        const double itemShrinkage = 25, userShrinkage = 10;
        var itemSums = new double[train.ItemCount];
        var itemCounts = new int[train.ItemCount];
        for (var row = 0; row < train.Count; row++)
        {
            itemSums[train.Items[row]] += train.Ratings[row] - mean;
            itemCounts[train.Items[row]]++;
        }
        var items = new float[train.ItemCount];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = (float)(itemSums[i] / (itemShrinkage + itemCounts[i]));
        }
        var userSums = new double[train.UserCount];
        var userCounts = new int[train.UserCount];
        for (var row = 0; row < train.Count; row++)
        {
            userSums[train.Users[row]] += train.Ratings[row] - mean - items[train.Items[row]];
            userCounts[train.Users[row]]++;
        }
        var users = new float[train.UserCount];
        for (var u = 0; u < users.Length; u++)
        {
            users[u] = (float)(userSums[u] / (userShrinkage + userCounts[u]));
        }
        return (users, items);
    }

    public static float MeanRating(ReadOnlySpan<float> ratings)
    {
        double sum = 0;
        foreach (var rating in ratings)
        {
            sum += rating;
        }
        return ratings.Length == 0 ? 0 : (float)(sum / ratings.Length);
    }
}
