namespace Recommender.Model.Data;

/// <summary>The files directly inside a folder.</summary>
public sealed class FolderDatasetSource : IDatasetSource
{
    private readonly string _folder;

    public FolderDatasetSource(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Data set folder '{folder}' does not exist.");
        }
        _folder = Path.GetFullPath(folder);
        Name = Path.GetFileName(Path.TrimEndingDirectorySeparator(_folder));
        Files = [.. Directory.EnumerateFiles(_folder).Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal)];
    }

    public string Name { get; }
    public IReadOnlyList<string> Files { get; }

    public Stream Open(string file)
    {
        if (!Files.Contains(file, StringComparer.Ordinal))
        {
            throw new FileNotFoundException($"'{file}' is not a file of data set folder '{_folder}'.", file);
        }
        // The parsers read in large blocks, so FileStream's own buffer would only add a copy.
        return new FileStream(Path.Combine(_folder, file), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
    }
}
