using Xunit;

namespace Recommender.Testing;

/// <summary>Finds the shared MovieLens copies (../shared/data/movielens from the repository root).</summary>
public static class MovieLensData
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
