using System.Text.Json.Nodes;
using Recommender.Model.Bundle;

namespace Recommender.Model.Tests.Bundle;

public sealed class DamagedBundleTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();
    private readonly string _bundle;

    public DamagedBundleTests()
    {
        _bundle = _folder.Combine("bundle");
        BundleWriter.Write(BundleTestContent.Create(), _bundle);
    }

    public static TheoryData<string> RequiredFiles => [.. BundleFiles.Required];

    private string PathOf(string file) => Path.Combine(_bundle, file);

    private BundleValidationException LoadFails() => Assert.Throws<BundleValidationException>(() => ModelBundle.Load(_bundle));

    /// <summary>The undamaged fixture loads with what was written, so each failure below comes from its damage alone.</summary>
    [Fact]
    public void IntactBundle_LoadsWithTheWrittenContent()
    {
        var written = BundleTestContent.Create();

        var loaded = ModelBundle.Load(_bundle);

        Assert.Equal(BundleFiles.Required.Order(), loaded.Manifest.Files.Keys.Order());
        Assert.All(loaded.Manifest.Files, file => Assert.Equal(new FileInfo(PathOf(file.Key)).Length, file.Value.Bytes));
        Assert.Equal(written.MovieTable, loaded.Content.MovieTable);
        Assert.Equal(written.UserTable, loaded.Content.UserTable);
        Assert.Equal(written.UserIds, loaded.Content.UserIds);
        Assert.Equal(written.PrecomputedItems, loaded.Content.PrecomputedItems);
        Assert.Equal(written.PrecomputedScores, loaded.Content.PrecomputedScores);
        Assert.Equal(written.Movies.Select(movie => movie.MovieId), loaded.Content.Movies.Select(movie => movie.MovieId));
        Assert.Equal(written.DatasetFingerprint, loaded.Manifest.DatasetFingerprint);
    }

    [Theory]
    [MemberData(nameof(RequiredFiles))]
    public void MissingFile_IsRejectedNamingIt(string file)
    {
        File.Delete(PathOf(file));

        var error = LoadFails();

        Assert.Equal(file, error.FileName);
        Assert.Contains(file, error.Message);
        Assert.Contains("missing", error.Message);
    }

    [Theory]
    [MemberData(nameof(RequiredFiles))]
    public void ChangedByte_IsRejectedAsChecksumMismatchNamingTheFile(string file)
    {
        var bytes = File.ReadAllBytes(PathOf(file));
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(PathOf(file), bytes);

        var error = LoadFails();

        Assert.Equal(file, error.FileName);
        Assert.Contains("checksum mismatch", error.Message);
    }

    [Theory]
    [InlineData(BundleFiles.MovieTable)]
    [InlineData(BundleFiles.UserTable)]
    [InlineData(BundleFiles.PrecomputedItems)]
    [InlineData(BundleFiles.History)]
    public void TruncatedTable_IsRejectedNamingItsShape(string file)
    {
        var bytes = File.ReadAllBytes(PathOf(file));
        File.WriteAllBytes(PathOf(file), bytes[..^4]);

        var error = LoadFails();

        Assert.Equal(file, error.FileName);
        Assert.Contains("truncated", error.Message);
        Assert.Contains($"holds {bytes.Length - 4} bytes; expected {bytes.Length}", error.Message);
    }

    [Fact]
    public void ManifestFromNewerSchema_IsRejected()
    {
        EditManifest(manifest => manifest["schemaVersion"] = BundleManifest.CurrentSchemaVersion + 1);

        var error = LoadFails();

        Assert.Equal(BundleFiles.Manifest, error.FileName);
        Assert.Contains($"schema version {BundleManifest.CurrentSchemaVersion + 1} is newer", error.Message);
    }

    [Fact]
    public void MalformedManifestJson_IsRejectedWithTheParserPosition()
    {
        var text = File.ReadAllText(PathOf(BundleFiles.Manifest));
        File.WriteAllText(PathOf(BundleFiles.Manifest), text.Replace("\"files\": {", "\"files\": {{", StringComparison.Ordinal));

        var error = LoadFails();

        Assert.Equal(BundleFiles.Manifest, error.FileName);
        Assert.Contains("malformed manifest JSON", error.Message);
        Assert.Contains("LineNumber", error.Message);
    }

    [Fact]
    public void MissingManifest_IsRejected()
    {
        File.Delete(PathOf(BundleFiles.Manifest));

        var error = LoadFails();

        Assert.Equal(BundleFiles.Manifest, error.FileName);
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void ManifestWithoutARequiredField_IsRejected()
    {
        EditManifest(manifest => manifest.Remove("anonymousVector"));

        var error = LoadFails();

        Assert.Equal(BundleFiles.Manifest, error.FileName);
        Assert.Contains("anonymousVector", error.Message);
    }

    [Fact]
    public void FileNotListedInManifest_IsRejectedNamingIt()
    {
        EditManifest(manifest => manifest["files"]!.AsObject().Remove(BundleFiles.Seen));

        var error = LoadFails();

        Assert.Equal(BundleFiles.Seen, error.FileName);
        Assert.Contains("not listed", error.Message);
    }

    [Fact]
    public void ManifestCountsDisagreeingWithTableShapes_AreRejected()
    {
        EditManifest(manifest => manifest["userCount"] = 6);

        var error = LoadFails();

        Assert.Equal(BundleFiles.UserTable, error.FileName);
        Assert.Contains("disagrees with the manifest's counts", error.Message);
    }

    [Fact]
    public void MissingFolder_IsRejected()
    {
        var error = Assert.Throws<BundleValidationException>(() => ModelBundle.Load(_folder.Combine("absent")));
        Assert.Contains("does not exist", error.Message);
    }

    private void EditManifest(Action<JsonObject> edit)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(PathOf(BundleFiles.Manifest)))!.AsObject();
        edit(manifest);
        File.WriteAllText(PathOf(BundleFiles.Manifest), manifest.ToJsonString());
    }

    public void Dispose() => _folder.Dispose();
}
