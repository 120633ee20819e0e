using Recommender.Model.Data;

namespace Recommender.Training.Models;

/// <summary>
/// A sparse, row-normalised feature matrix [Rows, Vocabulary.Count] in coordinate form: every row's values sum to 1
/// (rows without features are empty).
/// </summary>
internal sealed record FeatureMatrix(int Rows, IReadOnlyList<string> Vocabulary, int[] RowIndices, int[] ColumnIndices, float[] Values)
{
    public int Columns => Vocabulary.Count;

    /// <summary>Builds the matrix from each row's feature names; names outside the vocabulary are ignored.</summary>
    public static FeatureMatrix FromRows(IReadOnlyList<string> vocabulary, IReadOnlyList<IReadOnlyCollection<string>> rows)
    {
        var columnOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < vocabulary.Count; i++)
        {
            columnOf[vocabulary[i]] = i;
        }
        var rowIndices = new List<int>();
        var columnIndices = new List<int>();
        var values = new List<float>();
        for (var row = 0; row < rows.Count; row++)
        {
            var columns = rows[row].Select(name => columnOf.TryGetValue(name, out var c) ? c : -1).Where(c => c >= 0).Distinct().Order().ToList();
            foreach (var column in columns)
            {
                rowIndices.Add(row);
                columnIndices.Add(column);
                values.Add(1f / columns.Count);
            }
        }
        return new FeatureMatrix(rows.Count, vocabulary, [.. rowIndices], [.. columnIndices], [.. values]);
    }
}

/// <summary>
/// Side features of the data set over its dense index spaces: movie genres (all releases), movie tags (ml-latest)
/// and user demographics (ml-100k, ml-1m). A feature kind is null when disabled or when the data set has none.
/// </summary>
internal sealed class SideFeatures
{
    public FeatureMatrix? Genres { get; private init; }
    public FeatureMatrix? Tags { get; private init; }
    public FeatureMatrix? Demographics { get; private init; }

    public static SideFeatures Build(MovieLensDataset dataset, bool genres, bool tags, bool demographics, int minTagMovies)
    {
        var movies = Enumerable.Range(0, dataset.Items.Count).Select(dataset.GetMovieByIndex).ToList();
        return new SideFeatures
        {
            Genres = genres ? BuildMatrix(movies.Select(m => (IReadOnlyCollection<string>)(m?.Genres.ToArray() ?? [])).ToList(), minRows: 1) : null,
            Tags = tags ? BuildTags(dataset, minTagMovies) : null,
            Demographics = demographics ? BuildDemographics(dataset) : null,
        };
    }

    private static FeatureMatrix? BuildTags(MovieLensDataset dataset, int minTagMovies)
    {
        if (dataset.Tags.Count == 0)
        {
            return null;
        }
        var rows = new List<IReadOnlyCollection<string>>(dataset.Items.Count);
        for (var item = 0; item < dataset.Items.Count; item++)
        {
            rows.Add(dataset.Tags.TryGetValue(dataset.Items.GetRawId(item), out var movieTags)
                ? movieTags.Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0).ToHashSet(StringComparer.Ordinal)
                : []);
        }
        return BuildMatrix(rows, minTagMovies);
    }

    private static FeatureMatrix? BuildDemographics(MovieLensDataset dataset)
    {
        if (dataset.UserProfiles.Count == 0)
        {
            return null;
        }
        var rows = new List<IReadOnlyCollection<string>>(dataset.Users.Count);
        for (var user = 0; user < dataset.Users.Count; user++)
        {
            var features = new List<string>(4);
            if (dataset.UserProfiles.TryGetValue(dataset.Users.GetRawId(user), out var profile))
            {
                if (profile.Age is { } age)
                {
                    features.Add("age:" + AgeBand(age));
                }
                if (!string.IsNullOrWhiteSpace(profile.Gender))
                {
                    features.Add("gender:" + profile.Gender.Trim().ToUpperInvariant());
                }
                if (!string.IsNullOrWhiteSpace(profile.Occupation))
                {
                    features.Add("occupation:" + profile.Occupation.Trim().ToLowerInvariant());
                }
                if (!string.IsNullOrWhiteSpace(profile.ZipCode) && char.IsAsciiDigit(profile.ZipCode.Trim()[0]))
                {
                    features.Add("zip:" + profile.ZipCode.Trim()[0]);
                }
            }
            rows.Add(features);
        }
        return BuildMatrix(rows, minRows: 1);
    }

    /// <summary>The age bands of ml-1m's age codes (1, 18, 25, 35, 45, 50, 56), applied to ml-100k's exact ages too.</summary>
    private static string AgeBand(int age) => age switch
    {
        < 18 => "under-18",
        < 25 => "18-24",
        < 35 => "25-34",
        < 45 => "35-44",
        < 50 => "45-49",
        < 56 => "50-55",
        _ => "56+",
    };

    /// <summary>Vocabulary: features present in at least <paramref name="minRows"/> rows, in ordinal order.</summary>
    private static FeatureMatrix? BuildMatrix(IReadOnlyList<IReadOnlyCollection<string>> rows, int minRows)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            foreach (var feature in row.Distinct())
            {
                counts[feature] = counts.GetValueOrDefault(feature) + 1;
            }
        }
        var vocabulary = counts.Where(kv => kv.Value >= minRows).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
        return vocabulary.Count == 0 ? null : FeatureMatrix.FromRows(vocabulary, rows);
    }
}
