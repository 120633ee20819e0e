using System.Text;

namespace Recommender.Model.Tests.Ingestion;

/// <summary>Finds the shared MovieLens copies (../shared/data/movielens from the repository root).</summary>
internal static class MovieLensData
{
    public static string Root { get; } = FindRoot();

    public static string Release(string name) => Path.Combine(Root, name);

    public static bool Has(string release) => Directory.Exists(Release(release));

    private static string FindRoot()
    {
        if (Environment.GetEnvironmentVariable("MOVIELENS_DATA_DIR") is { Length: > 0 } configured)
        {
            return configured;
        }
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Serverless.sln")))
            {
                return Path.GetFullPath(Path.Combine(folder.FullName, "..", "shared", "data", "movielens"));
            }
        }
        return Path.Combine(AppContext.BaseDirectory, "movielens-data-not-found");
    }
}

/// <summary>A fact that is skipped (not passed) when the named MovieLens release is not on this machine.</summary>
public sealed class MovieLensFactAttribute : FactAttribute
{
    public MovieLensFactAttribute(string release)
    {
        if (!MovieLensData.Has(release))
        {
            Skip = $"MovieLens release '{release}' not found under {MovieLensData.Root} (set MOVIELENS_DATA_DIR).";
        }
    }
}

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
