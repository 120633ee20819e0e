using Recommender.Model.Bundle;
using Recommender.Model.Data;
using Recommender.Model.Engine;
using Recommender.Training.Export;

namespace Recommender.Training.Tests.Export;

public sealed class BundleExportTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "recommender-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void FromInteractions_KeepsTheLatestMoviesInTimeOrderAndCountsPopularity()
    {
        // Raw ids: users 501, 502, 503; movies 10, 20, 30, 40 (40 has no catalogue entry).
        var users = new IdIndex([501, 502, 503]);
        var items = new IdIndex([10, 20, 30, 40]);
        // user 0 rates 20@t5, 10@t1, 30@t5 (same time: row order), 40@t3; user 1 rates 20@t2; user 2 rates nothing.
        var table = new InteractionTable(
            users: [0, 0, 0, 0, 1],
            items: [1, 0, 2, 3, 1],
            ratings: [4, 3, 5, 2, 1],
            timestamps: [5, 1, 5, 3, 2],
            userCount: 3, itemCount: 4);
        var dataset = new MovieLensDataset
        {
            Name = "tiny", Format = "ml-latest", Scale = RatingScale.HalfStars, Interactions = table, Users = users, Items = items,
            Movies = new Dictionary<int, MovieInfo>
            {
                [10] = new(10, "Ten", 1990, ["Drama"]),
                [20] = new(20, "Twenty", null, []),
                [30] = new(30, "Thirty", 2001, ["Comedy", "Romance"]),
            },
            Fingerprint = "feedbeef00", Report = new IngestionReport(),
        };

        var data = BundleExportData.FromInteractions(dataset, table, maxHistory: 3);

        Assert.Equal([501, 502, 503], data.UserIds);
        Assert.Equal([3, 1, 2], data.History.Row(0).ToArray()); // t3, t5 (row 0), t5 (row 2); t1 dropped by L = 3
        Assert.Equal([1], data.History.Row(1).ToArray());
        Assert.True(data.History.Row(2).IsEmpty);
        Assert.Equal([0, 1, 2, 3], data.Seen.Row(0).ToArray());
        Assert.Equal([1], data.PopularityItems.Take(1));
        Assert.Equal([1, 0, 2, 3], data.PopularityItems);
        Assert.Equal([2f, 1f, 1f, 1f], data.PopularityScores);
        Assert.Equal(new BundleMovie(30, "Thirty", 2001, ["Comedy", "Romance"]).Title, data.Movies[2].Title);
        Assert.Equal("Movie 40", data.Movies[3].Title);
        Assert.Equal("feedbeef00", data.DatasetFingerprint);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(5), data.DataEndUtc);
    }

    [Fact]
    public void Export_WritesALoadableBundleWithArchitectureAndPrecomputedLists()
    {
        var weights = SyntheticModel.CreateWeights(seed: 4, movieCount: 120, userCount: 30, dim: 8, hidden: 12, layers: 2, maxHistory: 10);
        var dataEnd = new DateTimeOffset(2025, 12, 31, 23, 0, 0, TimeSpan.FromHours(2));
        var data = SyntheticModel.CreateExportData(seed: 5, weights);
        data = new BundleExportData
        {
            Movies = data.Movies, UserIds = data.UserIds, History = data.History, Seen = data.Seen, PopularityItems = data.PopularityItems,
            PopularityScores = data.PopularityScores, DatasetFingerprint = data.DatasetFingerprint, HyperParameters = data.HyperParameters,
            DataEndUtc = dataEnd,
        };
        var path = Path.Combine(_folder, "bundle");

        var manifest = ModelBundleExporter.Export(weights, data, path, precomputedCount: 15, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var bundle = ModelBundle.Load(path);

        Assert.Equal(manifest.ModelVersion, bundle.Manifest.ModelVersion);
        Assert.StartsWith("20260102T030405000Z-", manifest.ModelVersion);
        Assert.Equal("12", bundle.Manifest.HyperParameters["hidden"]);
        Assert.Equal("2", bundle.Manifest.HyperParameters["layers"]);
        Assert.Equal("synthetic", bundle.Manifest.HyperParameters["source"]);
        Assert.Equal(weights.MovieTable, bundle.Content.MovieTable);
        Assert.Equal(weights.Anonymous, bundle.Content.AnonymousVector);
        Assert.Equal(dataEnd, bundle.Manifest.DataEndUtc);
        Assert.Equal(TimeSpan.Zero, bundle.Manifest.DataEndUtc!.Value.Offset);
        for (var user = 0; user < weights.UserCount; user++)
        {
            var row = bundle.Content.PrecomputedItems.AsSpan(user * 15, 15).ToArray();
            var scores = bundle.Content.PrecomputedScores.AsSpan(user * 15, 15).ToArray();
            Assert.DoesNotContain(row, item => data.Seen.Row(user).Contains(item));
            Assert.Equal(scores.OrderDescending(), scores);
        }
    }

    [Fact]
    public void Export_RejectsDataThatDoesNotMatchTheWeights()
    {
        var weights = SyntheticModel.CreateWeights(seed: 4, movieCount: 20, userCount: 3, dim: 8, hidden: 4, layers: 1, maxHistory: 5);
        var otherWeights = SyntheticModel.CreateWeights(seed: 4, movieCount: 21, userCount: 3, dim: 8, hidden: 4, layers: 1, maxHistory: 5);
        var data = SyntheticModel.CreateExportData(seed: 5, otherWeights);

        var error = Assert.Throws<ArgumentException>(() => ModelBundleExporter.Export(weights, data, Path.Combine(_folder, "bundle")));

        Assert.Contains("21 movies", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_folder, "bundle")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
