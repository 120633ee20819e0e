using System.Security.Cryptography;
using System.Text;

namespace Recommender.Integration.Tests;

/// <summary>A temporary folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "recommender-integration-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>A model-bundle-like folder: a binary model file, a nested file and manifest.json listing SHA-256s.</summary>
internal static class TestBundle
{
    public static string Create(string parent, string version, int modelBytes = 64 * 1024)
    {
        var folder = System.IO.Path.Combine(parent, "bundle-" + version);
        Directory.CreateDirectory(System.IO.Path.Combine(folder, "metadata"));
        var model = new byte[modelBytes];
        new Random(version.GetHashCode(StringComparison.Ordinal)).NextBytes(model);
        File.WriteAllBytes(System.IO.Path.Combine(folder, "model.onnx"), model);
        File.WriteAllText(System.IO.Path.Combine(folder, "metadata", "items.json"), $"{{\"version\":\"{version}\",\"items\":[1,2,3]}}");
        var manifest = new StringBuilder($"{{\"version\":\"{version}\",\"files\":{{");
        manifest.Append($"\"model.onnx\":\"{Sha256(model)}\",");
        manifest.Append($"\"metadata/items.json\":\"{Sha256(File.ReadAllBytes(System.IO.Path.Combine(folder, "metadata", "items.json")))}\"}}}}");
        File.WriteAllText(System.IO.Path.Combine(folder, "manifest.json"), manifest.ToString());
        return folder;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Relative path ('/'-separated) → bytes, for comparing folders.</summary>
    public static SortedDictionary<string, byte[]> ReadAll(string folder) =>
        new(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(path => System.IO.Path.GetRelativePath(folder, path).Replace(System.IO.Path.DirectorySeparatorChar, '/'), File.ReadAllBytes),
            StringComparer.Ordinal);
}
