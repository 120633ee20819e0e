using System.Text;

namespace Recommender.Model.Tests.Ingestion;

/// <summary>A temporary folder with small hand-written release files, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder(string name = "release")
    {
        Parent = Path.Combine(Path.GetTempPath(), "recommender-ingest-tests", Guid.NewGuid().ToString("N"));
        Folder = Path.Combine(Parent, name);
        Directory.CreateDirectory(Folder);
    }

    private string Parent { get; }

    public string Folder { get; }

    public string Write(string file, string content, Encoding? encoding = null) =>
        WriteBytes(file, (encoding ?? new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)).GetBytes(content));

    public string WriteBytes(string file, byte[] content)
    {
        var path = Path.Combine(Folder, file);
        File.WriteAllBytes(path, content);
        return path;
    }

    public string Sibling(string file) => Path.Combine(Parent, file);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Parent, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on Windows; the OS temp cleaner takes it.
        }
    }
}
