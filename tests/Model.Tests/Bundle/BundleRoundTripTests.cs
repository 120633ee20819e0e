using System.Text.RegularExpressions;
using Recommender.Model.Bundle;

namespace Recommender.Model.Tests.Bundle;

public class BundleRoundTripTests
{
    [Fact]
    public void WrittenBundle_LoadsBackIdentically()
    {
        using var folder = new TemporaryFolder();
        var content = BundleTestContent.Create();
        var created = new DateTimeOffset(2026, 11, 28, 3, 15, 0, TimeSpan.Zero);
        var written = BundleWriter.Write(content, folder.Combine("bundle"), created);

        var loaded = ModelBundle.Load(folder.Combine("bundle"));

        var manifest = loaded.Manifest;
        Assert.Equal(BundleManifest.CurrentSchemaVersion, manifest.SchemaVersion);
        Assert.Equal("20261128T031500000Z-ab12cd34", manifest.ModelVersion);
        Assert.Equal(written.ModelVersion, manifest.ModelVersion);
        Assert.Equal(created, manifest.CreatedUtc);
        Assert.Equal("ab12cd34ef56", manifest.DatasetFingerprint);
        Assert.Equal(content.HyperParameters, manifest.HyperParameters);
        Assert.Equal(content.Metrics, manifest.Metrics);
        Assert.Equal(content.AnonymousVector, manifest.AnonymousVector);
        Assert.Equal(BundleFiles.Required.Order(), manifest.Files.Keys.Order());
        Assert.All(manifest.Files.Values, entry => Assert.Matches(new Regex("^[0-9a-f]{64}$"), entry.Sha256));
        Assert.Equal([12L, 4L], manifest.Files[BundleFiles.MovieTable].Shape!);
        Assert.Equal(BundleElementTypes.Int32, manifest.Files[BundleFiles.PrecomputedItems].ElementType);

        var actual = loaded.Content;
        Assert.Equal(content.OnnxModel, actual.OnnxModel);
        Assert.Equal(content.Dim, actual.Dim);
        Assert.Equal(content.MaxHistory, actual.MaxHistory);
        Assert.Equal(content.MovieTable, actual.MovieTable);
        Assert.Equal(content.UserTable, actual.UserTable);
        Assert.Equal(content.UserIds, actual.UserIds);
        Assert.Equal(content.History.Offsets, actual.History.Offsets);
        Assert.Equal(content.History.Values, actual.History.Values);
        Assert.Equal(content.Seen.Offsets, actual.Seen.Offsets);
        Assert.Equal(content.Seen.Values, actual.Seen.Values);
        Assert.Equal(content.PopularityItems, actual.PopularityItems);
        Assert.Equal(content.PopularityScores, actual.PopularityScores);
        Assert.Equal(content.PrecomputedCount, actual.PrecomputedCount);
        Assert.Equal(content.PrecomputedItems, actual.PrecomputedItems);
        Assert.Equal(content.PrecomputedScores, actual.PrecomputedScores);
        Assert.Equal(content.Movies.Count, actual.Movies.Count);
        for (var item = 0; item < content.Movies.Count; item++)
        {
            Assert.Equal(content.Movies[item].MovieId, actual.Movies[item].MovieId);
            Assert.Equal(content.Movies[item].Title, actual.Movies[item].Title);
            Assert.Equal(content.Movies[item].Year, actual.Movies[item].Year);
            Assert.Equal(content.Movies[item].Genres, actual.Movies[item].Genres);
        }
    }

    [Fact]
    public void ReplacedMetrics_AreInTheManifestAndTheBundleStillVerifies()
    {
        using var folder = new TemporaryFolder();
        var bundle = folder.Combine("bundle");
        var written = BundleWriter.Write(BundleTestContent.Create(), bundle);

        BundleWriter.ReplaceMetrics(bundle, new Dictionary<string, double> { ["ndcg@10"] = 0.25, ["map"] = 0.125 });

        var loaded = ModelBundle.Load(bundle);
        Assert.Equal(["map", "ndcg@10"], loaded.Manifest.Metrics.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0.25, loaded.Manifest.Metrics["ndcg@10"]);
        Assert.Equal(written.ModelVersion, loaded.Manifest.ModelVersion);
        Assert.Equal(written.Files.ToDictionary(file => file.Key, file => file.Value.Sha256), loaded.Manifest.Files.ToDictionary(file => file.Key, file => file.Value.Sha256));
        Assert.Equal(["bundle"], Directory.GetDirectories(folder.Path).Select(Path.GetFileName));
        Assert.DoesNotContain(Directory.GetFiles(bundle), file => file.EndsWith(".new", StringComparison.Ordinal));
    }

    [Fact]
    public void Writer_LeavesOnlyTheFinalFolder()
    {
        using var folder = new TemporaryFolder();
        BundleWriter.Write(BundleTestContent.Create(), folder.Combine("v1"));

        Assert.Equal(["v1"], Directory.GetDirectories(folder.Path).Select(Path.GetFileName));
        Assert.Equal(
            BundleFiles.Required.Append(BundleFiles.Manifest).Order(),
            Directory.GetFiles(folder.Combine("v1")).Select(path => Path.GetFileName(path)!).Order());
    }

    [Fact]
    public void Writer_RefusesAnExistingFolderAndLeavesItUntouched()
    {
        using var folder = new TemporaryFolder();
        var target = folder.Combine("v1");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "keep.txt"), "x");

        var error = Assert.Throws<IOException>(() => BundleWriter.Write(BundleTestContent.Create(), target));

        Assert.Contains("already exists", error.Message);
        Assert.Equal(["keep.txt"], Directory.GetFiles(target).Select(Path.GetFileName));
        Assert.Single(Directory.GetDirectories(folder.Path));
    }

    [Fact]
    public void Writer_RejectsInconsistentContentBeforeWritingAnything()
    {
        using var folder = new TemporaryFolder();
        var good = BundleTestContent.Create();
        var broken = new ModelBundleContent
        {
            OnnxModel = good.OnnxModel, Dim = good.Dim, MaxHistory = good.MaxHistory, MovieTable = good.MovieTable, Movies = good.Movies,
            UserTable = good.UserTable[..^1], UserIds = good.UserIds, History = good.History, Seen = good.Seen,
            PopularityItems = good.PopularityItems, PopularityScores = good.PopularityScores, PrecomputedCount = good.PrecomputedCount,
            PrecomputedItems = good.PrecomputedItems, PrecomputedScores = good.PrecomputedScores, AnonymousVector = good.AnonymousVector,
            DatasetFingerprint = good.DatasetFingerprint,
        };

        var error = Assert.Throws<ArgumentException>(() => BundleWriter.Write(broken, folder.Combine("v1")));

        Assert.Contains(BundleFiles.UserTable, error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Theory]
    [InlineData("2026-11-28T03:15:00Z", "ABCDEF0123", "20261128T031500000Z-abcdef01")]
    [InlineData("2026-11-28T03:15:00.123Z", "abcdef0123", "20261128T031500123Z-abcdef01")]
    [InlineData("2026-01-02T23:59:59+02:00", "12", "20260102T215959000Z-12000000")]
    public void ModelVersion_IsUtcTimestampAndFingerprintPrefix(string created, string fingerprint, string expected)
    {
        Assert.Equal(expected, BundleManifest.CreateModelVersion(DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture), fingerprint));
    }
}
