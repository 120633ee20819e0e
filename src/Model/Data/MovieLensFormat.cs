using System.Text;

namespace Recommender.Model.Data;

/// <summary>
/// A MovieLens release layout: file names, separators, text encoding and rating scale.
/// ml-latest covers every CSV release (ml-latest, ml-latest-small, ml-20m, ml-25m, ml-32m).
/// </summary>
public sealed class MovieLensFormat
{
    private MovieLensFormat(string name, RatingScale scale, Encoding textEncoding, string ratingsFile, string[] metadataFiles)
    {
        Name = name;
        Scale = scale;
        TextEncoding = textEncoding;
        RatingsFile = ratingsFile;
        MetadataFiles = metadataFiles;
    }

    /// <summary>ratings.csv, movies.csv, tags.csv, links.csv: comma-separated UTF-8 with headers, half stars.</summary>
    public static MovieLensFormat Latest { get; } = new("ml-latest", RatingScale.HalfStars, Encoding.UTF8, "ratings.csv",
        ["movies.csv", "tags.csv", "links.csv"]);

    /// <summary>u.data (tab-separated), u.item, u.user, u.genre (pipe-separated), Latin-1, whole stars.</summary>
    public static MovieLensFormat Ml100K { get; } = new("ml-100k", RatingScale.WholeStars, Encoding.Latin1, "u.data",
        ["u.item", "u.user", "u.genre"]);

    /// <summary>ratings.dat, movies.dat, users.dat with '::' separators, Latin-1, whole stars.</summary>
    public static MovieLensFormat Ml1M { get; } = new("ml-1m", RatingScale.WholeStars, Encoding.Latin1, "ratings.dat",
        ["movies.dat", "users.dat"]);

    /// <summary>ratings.dat, movies.dat, tags.dat with '::' separators, UTF-8, half stars, no users.dat.</summary>
    public static MovieLensFormat Ml10M { get; } = new("ml-10m", RatingScale.HalfStars, Encoding.UTF8, "ratings.dat",
        ["movies.dat", "tags.dat"]);

    public static IReadOnlyList<MovieLensFormat> All { get; } = [Latest, Ml100K, Ml1M, Ml10M];

    public string Name { get; }
    public RatingScale Scale { get; }
    public Encoding TextEncoding { get; }
    public string RatingsFile { get; }

    /// <summary>The optional files this reader uses besides the ratings file.</summary>
    public IReadOnlyList<string> MetadataFiles { get; }

    internal bool IsUtf8 => TextEncoding.CodePage == Encoding.UTF8.CodePage;

    public static MovieLensFormat? FromName(string name) =>
        All.FirstOrDefault(format => format.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => Name;
}
