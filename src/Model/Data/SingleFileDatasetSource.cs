namespace Recommender.Model.Data;

/// <summary>A lone ratings file; its name or extension tells the format.</summary>
public sealed class SingleFileDatasetSource : IDatasetSource
{
    private readonly string _path;

    public SingleFileDatasetSource(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Ratings file '{path}' does not exist.", path);
        }
        _path = Path.GetFullPath(path);
        Name = Path.GetFileName(_path);
        Files = [Name];
    }

    public string Name { get; }
    public IReadOnlyList<string> Files { get; }

    public Stream Open(string file)
    {
        if (file != Name)
        {
            throw new FileNotFoundException($"'{file}' is not part of single-file data set '{_path}'.", file);
        }
        return new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
    }
}
