using System.IO.Compression;

namespace Recommender.Model.Data;

/// <summary>
/// The files of a release zip. When every entry sits under one top-level folder (as in the official
/// ml-*.zip downloads), that folder is stripped, so <see cref="Files"/> reads "ratings.csv", not "ml-25m/ratings.csv".
/// </summary>
public sealed class ZipDatasetSource : IDatasetSource, IDisposable
{
    private readonly ZipArchive _archive;
    private readonly Dictionary<string, ZipArchiveEntry> _entries;

    public ZipDatasetSource(string zipPath)
        : this(OpenZipFile(zipPath), Path.GetFileNameWithoutExtension(zipPath), leaveOpen: false)
    {
    }

    public ZipDatasetSource(Stream zip, string name, bool leaveOpen = false)
    {
        Name = name;
        try
        {
            _archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen);
        }
        catch (InvalidDataException error)
        {
            if (!leaveOpen)
            {
                zip.Dispose();
            }
            throw new InvalidDataException($"'{name}' is not a readable zip archive: {error.Message}", error);
        }
        var files = _archive.Entries
            .Where(entry => !entry.FullName.EndsWith('/') && !entry.FullName.StartsWith("__MACOSX/", StringComparison.Ordinal))
            .ToList();
        var prefix = CommonTopLevelFolder(files.Select(entry => entry.FullName).ToList());
        _entries = files.ToDictionary(entry => entry.FullName[prefix.Length..], StringComparer.Ordinal);
        Files = [.. _entries.Keys.Order(StringComparer.Ordinal)];
    }

    public string Name { get; }
    public IReadOnlyList<string> Files { get; }

    public Stream Open(string file) => _entries.TryGetValue(file, out var entry)
        ? entry.Open()
        : throw new FileNotFoundException($"'{file}' is not in zip '{Name}'.", file);

    public void Dispose() => _archive.Dispose();

    private static FileStream OpenZipFile(string zipPath) => File.Exists(zipPath)
        ? new FileStream(zipPath, FileMode.Open, FileAccess.Read, FileShare.Read)
        : throw new FileNotFoundException($"Zip file '{zipPath}' does not exist.", zipPath);

    private static string CommonTopLevelFolder(List<string> names)
    {
        if (names.Count == 0)
        {
            return "";
        }
        var slash = names[0].IndexOf('/');
        if (slash <= 0)
        {
            return "";
        }
        var prefix = names[0][..(slash + 1)];
        return names.All(name => name.StartsWith(prefix, StringComparison.Ordinal)) ? prefix : "";
    }
}
