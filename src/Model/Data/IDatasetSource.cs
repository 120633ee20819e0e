namespace Recommender.Model.Data;

/// <summary>
/// Read access to the files of one MovieLens release wherever they are kept: a folder, a zip, a single file,
/// or a blob container. <see cref="MovieLensReader"/> only ever reads through this interface.
/// </summary>
public interface IDatasetSource
{
    /// <summary>The release's name as shown to people (folder, zip or file name).</summary>
    string Name { get; }

    /// <summary>Paths of the files, relative to the release root, '/'-separated, in ordinal order.</summary>
    IReadOnlyList<string> Files { get; }

    /// <summary>Opens one of <see cref="Files"/> for sequential reading; the caller disposes the stream.</summary>
    Stream Open(string file);
}
