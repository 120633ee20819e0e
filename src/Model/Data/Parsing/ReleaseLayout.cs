namespace Recommender.Model.Data.Parsing;

internal enum FileRole
{
    Ratings,
    Movies,
    Tags,
    Links,
    Users,
    Genres,
}

internal sealed record ReleaseFile(string Name, FileRole Role);

/// <summary>The detected format of a source and which of its files play which role.</summary>
internal sealed record ReleaseLayout(MovieLensFormat Format, IReadOnlyList<ReleaseFile> Files)
{
    private static readonly string[] RatingsFileNames = ["ratings.csv", "u.data", "ratings.dat"];

    public static ReleaseLayout Detect(IDatasetSource source, MovieLensFormat? forcedFormat)
    {
        var topLevel = source.Files.Where(file => !file.Contains('/')).ToList();
        var format = forcedFormat ?? FormatFromFileNames(source.Name, topLevel) ?? FormatOfLoneFile(source);
        if (format is null)
        {
            throw FileProblem(source, ProblemReasons.UnrecognisedLayout,
                $"no MovieLens ratings file ({string.Join(", ", RatingsFileNames)}) among the files: {ListFiles(source.Files)}");
        }

        var files = new List<ReleaseFile>();
        var ratingsFile = Find(topLevel, format.RatingsFile) ?? LoneRatingsFile(source, format);
        if (ratingsFile is null)
        {
            throw FileProblem(source, ProblemReasons.MissingRatingsFile,
                $"{format.Name} release without its ratings file '{format.RatingsFile}'; files present: {ListFiles(source.Files)}");
        }
        files.Add(new ReleaseFile(ratingsFile, FileRole.Ratings));
        foreach (var metadataFile in format.MetadataFiles)
        {
            if (Find(topLevel, metadataFile) is { } name)
            {
                files.Add(new ReleaseFile(name, RoleOf(metadataFile)));
            }
        }
        return new ReleaseLayout(format, files);
    }

    private static MovieLensFormat? FormatFromFileNames(string sourceName, List<string> files)
    {
        bool Has(string name) => Find(files, name) is not null;
        if (Has("ratings.csv") || Has("movies.csv"))
        {
            return MovieLensFormat.Latest;
        }
        if (Has("u.data") || Has("u.item") || Has("u.user"))
        {
            return MovieLensFormat.Ml100K;
        }
        if (Has("ratings.dat") || Has("movies.dat") || Has("users.dat") || Has("tags.dat"))
        {
            // Both releases share file names; only ml-1m has users.dat, only ml-10m has tags.dat.
            return Has("users.dat") || (!Has("tags.dat") && NamesMl1M(sourceName)) ? MovieLensFormat.Ml1M : MovieLensFormat.Ml10M;
        }
        return null;
    }

    private static MovieLensFormat? FormatOfLoneFile(IDatasetSource source)
    {
        if (source.Files.Count != 1)
        {
            return null;
        }
        var file = source.Files[0];
        return Path.GetExtension(file).ToLowerInvariant() switch
        {
            ".csv" => MovieLensFormat.Latest,
            ".data" or ".tsv" => MovieLensFormat.Ml100K,
            ".dat" => NamesMl1M(source.Name) || NamesMl1M(file) ? MovieLensFormat.Ml1M : MovieLensFormat.Ml10M,
            _ => null,
        };
    }

    /// <summary>A single-file source holds just the ratings, whatever the file is called.</summary>
    private static string? LoneRatingsFile(IDatasetSource source, MovieLensFormat format)
    {
        if (source.Files.Count != 1)
        {
            return null;
        }
        var file = source.Files[0];
        return format.MetadataFiles.Contains(file, StringComparer.OrdinalIgnoreCase) ? null : file;
    }

    private static bool NamesMl1M(string name) => name.Contains("ml-1m", StringComparison.OrdinalIgnoreCase);

    private static string? Find(IEnumerable<string> files, string name) =>
        files.FirstOrDefault(file => file.Equals(name, StringComparison.OrdinalIgnoreCase));

    private static FileRole RoleOf(string metadataFile) => metadataFile switch
    {
        "movies.csv" or "u.item" or "movies.dat" => FileRole.Movies,
        "tags.csv" or "tags.dat" => FileRole.Tags,
        "links.csv" => FileRole.Links,
        "u.user" or "users.dat" => FileRole.Users,
        "u.genre" => FileRole.Genres,
        _ => throw new ArgumentOutOfRangeException(nameof(metadataFile), metadataFile, "Not a metadata file of any format."),
    };

    private static string ListFiles(IReadOnlyList<string> files) => files.Count == 0 ? "(none)" : string.Join(", ", files);

    private static IngestionException FileProblem(IDatasetSource source, string reason, string detail)
    {
        var problem = new IngestionProblem(source.Name, 0, "", reason) { Detail = detail };
        return new IngestionException(source.Name, [problem], 1);
    }
}
