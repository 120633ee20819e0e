using System.IO.Compression;
using System.Text;
using Recommender.Model.Data;

namespace Recommender.Model.Tests.Ingestion;

public class SourceTests
{
    private const string Ratings = "userId,movieId,rating,timestamp\r\n1,10,4.0,100\r\n2,10,3.5,101\r\n";
    private const string Movies = "movieId,title,genres\r\n10,\"Net, The (1995)\",Action\r\n";

    private static string WriteZip(TempFolder temp, string zipName, string prefix)
    {
        var path = temp.Sibling(zipName);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, content) in new[] { ("ratings.csv", Ratings), ("movies.csv", Movies) })
        {
            using var entry = zip.CreateEntry(prefix + name).Open();
            entry.Write(Encoding.UTF8.GetBytes(content));
        }
        if (prefix.Length > 0)
        {
            zip.CreateEntry(prefix);
        }
        return path;
    }

    [Theory]
    [InlineData("")]
    [InlineData("ml-latest-small/")]
    public void Zip_WithOrWithoutTopLevelFolder_LoadsLikeTheFolder(string prefix)
    {
        using var temp = new TempFolder();
        temp.Write("ratings.csv", Ratings);
        temp.Write("movies.csv", Movies);
        var zipPath = WriteZip(temp, "ml-test.zip", prefix);

        var fromZip = MovieLensReader.Load(zipPath);
        var fromFolder = MovieLensReader.Load(temp.Folder);

        Assert.Equal("ml-test", fromZip.Name);
        Assert.Equal("ml-latest", fromZip.Format);
        Assert.Equal(2, fromZip.Interactions.Count);
        Assert.Equal("Net, The", fromZip.Movies[10].Title);
        Assert.Equal(fromFolder.Fingerprint, fromZip.Fingerprint);
    }

    [Fact]
    public void ZipSource_ListsFilesWithoutTheTopLevelFolder()
    {
        using var temp = new TempFolder();
        using var source = new ZipDatasetSource(WriteZip(temp, "release.zip", "ml-25m/"));

        Assert.Equal(["movies.csv", "ratings.csv"], source.Files);
        using var reader = new StreamReader(source.Open("movies.csv"));
        Assert.Equal(Movies, reader.ReadToEnd());
        Assert.Throws<FileNotFoundException>(() => source.Open("ml-25m/movies.csv"));
    }

    [Fact]
    public void NotAZip_FailsNamingTheFile()
    {
        using var temp = new TempFolder();
        var path = temp.Write("broken.zip", "this is not a zip");

        var error = Assert.Throws<InvalidDataException>(() => MovieLensReader.Load(path));

        Assert.Contains("broken", error.Message);
    }

    [Fact]
    public void SingleRatingsFile_WithAnyName_IsReadByItsExtension()
    {
        using var temp = new TempFolder();
        var path = temp.Write("my-ratings.csv", Ratings);

        var dataset = MovieLensReader.Load(path);

        Assert.Equal(("my-ratings.csv", "ml-latest"), (dataset.Name, dataset.Format));
        Assert.Equal(2, dataset.Interactions.Count);
        Assert.Empty(dataset.Movies);
    }

    [Fact]
    public void SingleDatFile_IsMl10MUnlessTheFormatIsForced()
    {
        using var temp = new TempFolder();
        var path = temp.Write("ratings.dat", "1::10::4::100\n1::11::3.5::101\n");

        Assert.Equal("ml-10m", MovieLensReader.Load(path).Format);
        var error = Assert.Throws<IngestionException>(() => MovieLensReader.Load(path, new IngestionOptions { Format = MovieLensFormat.Ml1M }));
        Assert.Equal(ProblemReasons.RatingOutsideScale, Assert.Single(error.Problems).Reason);
    }

    [Fact]
    public void Formats_AreFoundByName()
    {
        Assert.Same(MovieLensFormat.Ml100K, MovieLensFormat.FromName("ML-100K"));
        Assert.All(MovieLensFormat.All, format => Assert.Same(format, MovieLensFormat.FromName(format.Name)));
        Assert.Null(MovieLensFormat.FromName("ml-20m"));
    }

    [Theory]
    [InlineData("release", new[] { "ratings.dat", "users.dat" }, "ml-1m")]
    [InlineData("release", new[] { "ratings.dat", "tags.dat" }, "ml-10m")]
    [InlineData("release", new[] { "ratings.dat" }, "ml-10m")]
    [InlineData("ml-1m", new[] { "ratings.dat" }, "ml-1m")]
    [InlineData("release", new[] { "u.data" }, "ml-100k")]
    [InlineData("release", new[] { "ratings.csv", "README.txt" }, "ml-latest")]
    public void Format_IsDetectedFromTheFilesPresent(string folderName, string[] files, string format)
    {
        using var temp = new TempFolder(folderName);
        foreach (var file in files)
        {
            temp.Write(file, file switch
            {
                "ratings.csv" => Ratings,
                "u.data" => "1\t10\t4\t100\n",
                "users.dat" => "1::F::1::10::48067\n",
                "tags.dat" => "1::10::good::100\n",
                "README.txt" => "read me",
                _ => "1::10::4::100\n",
            });
        }

        Assert.Equal(format, MovieLensReader.Load(temp.Folder).Format);
    }

    [Fact]
    public void MissingPath_FailsNamingIt()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-movielens-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<FileNotFoundException>(() => MovieLensReader.Load(path));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void AnyDatasetSource_CanBeRead()
    {
        var source = new InMemorySource("blob-release", new Dictionary<string, string>
        {
            ["ratings.csv"] = Ratings,
            ["movies.csv"] = Movies,
        });

        var dataset = MovieLensReader.Load(source);

        Assert.Equal("blob-release", dataset.Name);
        Assert.Equal(2, dataset.Interactions.Count);
        Assert.Equal(["movies.csv", "ratings.csv"], dataset.Report.Files);
    }

    /// <summary>Stands in for a remote store: files served from memory through non-seekable streams.</summary>
    private sealed class InMemorySource(string name, Dictionary<string, string> files) : IDatasetSource
    {
        public string Name => name;
        public IReadOnlyList<string> Files => [.. files.Keys.Order(StringComparer.Ordinal)];
        public Stream Open(string file) => new ForwardOnlyStream(Encoding.UTF8.GetBytes(files[file]));
    }

    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        // Hand out a few bytes at a time, as network streams do.
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 7));
    }
}
