using System.Security.Cryptography;

namespace Recommender.Model.Storage;

/// <summary>The files of a local bundle folder with their SHA-256, in upload order: ordinal, manifest.json last.</summary>
internal sealed class LocalBundle
{
    private LocalBundle(IReadOnlyList<LocalBundleFile> files, string manifestSha256)
    {
        Files = files;
        ManifestSha256 = manifestSha256;
        Bytes = files.Sum(file => file.Length);
    }

    public IReadOnlyList<LocalBundleFile> Files { get; }
    public string ManifestSha256 { get; }
    public long Bytes { get; }

    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The folder has no manifest.json at its root.</exception>
    public static LocalBundle Read(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Model bundle folder '{folder}' does not exist.");
        }
        var root = Path.GetFullPath(folder);
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(path => (Path: path, Relative: Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/')))
            .OrderBy(file => file.Relative == ModelRepository.ManifestFileName ? 1 : 0)
            .ThenBy(file => file.Relative, StringComparer.Ordinal)
            .Select(file => new LocalBundleFile(file.Relative, file.Path, Sha256Of(file.Path), new FileInfo(file.Path).Length))
            .ToList();
        var manifest = files.LastOrDefault();
        if (manifest?.RelativePath != ModelRepository.ManifestFileName)
        {
            throw new InvalidDataException($"Model bundle folder '{folder}' has no {ModelRepository.ManifestFileName} at its root.");
        }
        return new LocalBundle(files, manifest.Sha256);
    }

    private static string Sha256Of(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

internal sealed record LocalBundleFile(string RelativePath, string FullPath, string Sha256, long Length);
