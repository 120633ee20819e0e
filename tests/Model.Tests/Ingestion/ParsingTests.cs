using System.Text;
using Recommender.Model.Data;

namespace Recommender.Model.Tests.Ingestion;

public class ParsingTests
{
    private const string Header = "userId,movieId,rating,timestamp\n";

    private static MovieLensDataset Load(string ratingsCsv, IngestionOptions? options = null, string? moviesCsv = null, string? tagsCsv = null)
    {
        using var temp = new TempFolder();
        temp.Write("ratings.csv", ratingsCsv);
        if (moviesCsv is not null)
        {
            temp.Write("movies.csv", moviesCsv);
        }
        if (tagsCsv is not null)
        {
            temp.Write("tags.csv", tagsCsv);
        }
        return MovieLensReader.Load(temp.Folder, options);
    }

    private static (int User, int Movie, float Rating, long Timestamp)[] Rows(MovieLensDataset dataset)
    {
        var table = dataset.Interactions;
        return [.. Enumerable.Range(0, table.Count).Select(row => (
            dataset.Users.GetRawId(table.Users[row]), dataset.Items.GetRawId(table.Items[row]), table.Ratings[row], table.Timestamps[row]))];
    }

    [Fact]
    public void RowsBecomeDenseColumnsInOrderOfFirstAppearance()
    {
        var dataset = Load(Header + "7,30,4.0,100\n7,10,3.5,101\n3,30,0.5,102\n3,20,5,103\n");

        Assert.Equal([7, 3], dataset.Users.RawIds.ToArray());
        Assert.Equal([30, 10, 20], dataset.Items.RawIds.ToArray());
        Assert.Equal([0, 0, 1, 1], dataset.Interactions.Users.ToArray());
        Assert.Equal([0, 1, 0, 2], dataset.Interactions.Items.ToArray());
        Assert.Equal([4.0f, 3.5f, 0.5f, 5.0f], dataset.Interactions.Ratings.ToArray());
        Assert.Equal([100L, 101, 102, 103], dataset.Interactions.Timestamps.ToArray());
        Assert.Equal((2, 3), (dataset.Interactions.UserCount, dataset.Interactions.ItemCount));
    }

    [Fact]
    public void IdsTooLargeForADirectMap_AreMappedAndDeduplicatedToo()
    {
        var dataset = Load(Header + "2000000000,2147483647,4.0,100\n5,2147483647,3.0,101\n2000000000,7,2.0,102\n2000000000,2147483647,1.0,103\n");

        Assert.Equal([2000000000, 5], dataset.Users.RawIds.ToArray());
        Assert.Equal([2147483647, 7], dataset.Items.RawIds.ToArray());
        Assert.Equal([(5, 2147483647, 3.0f, 101L), (2000000000, 7, 2.0f, 102L), (2000000000, 2147483647, 1.0f, 103L)], Rows(dataset));
        Assert.Equal(1, dataset.Report.DuplicatesMerged);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void CrlfAndLf_GiveTheSameRows(string newline)
    {
        var lf = Load(Header + "1,10,4.0,100\n1,11,3.5,101\n2,10,1.0,102\n");
        var other = Load((Header + "1,10,4.0,100\n1,11,3.5,101\n2,10,1.0,102\n").Replace("\n", newline));

        Assert.Equal(Rows(lf), Rows(other));
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void TruncatedLastLineWithoutNewline_IsAValidRow(string newline)
    {
        var dataset = Load($"userId,movieId,rating,timestamp{newline}1,10,4.0,100{newline}1,11,3.5,101");

        Assert.Equal([(1, 10, 4.0f, 100L), (1, 11, 3.5f, 101L)], Rows(dataset));
        Assert.Equal(0, dataset.Report.ProblemCount);
    }

    [Fact]
    public void ByteOrderMark_IsSkipped()
    {
        var dataset = Load("\uFEFF" + Header + "1,10,4.0,100\n");

        Assert.Equal([(1, 10, 4.0f, 100L)], Rows(dataset));
    }

    [Fact]
    public void WholeNumberAndLongFractionRatings_OnTheScaleAreAccepted()
    {
        var dataset = Load(Header + "1,10,5,100\n1,11,3.50,101\n1,12,0.500,102\n1,13,04.5000,103\n");

        Assert.Equal([5.0f, 3.5f, 0.5f, 4.5f], dataset.Interactions.Ratings.ToArray());
    }

    [Fact]
    public void QuotedTitlesWithCommasAndEscapedQuotes_AreDecoded()
    {
        var movies = "movieId,title,genres\r\n"
            + "11,\"American President, The (1995)\",Comedy|Drama|Romance\r\n"
            + "7789,\"11'09\"\"01 - September 11 (2002)\",Drama\r\n"
            + "47,Seven (a.k.a. Se7en) (1995),Mystery|Thriller\r\n"
            + "40697,Babylon 5,Sci-Fi\r\n"
            + "143410,Hyena Road,(no genres listed)\r\n"
            + "5,\"\"\"Great\"\" Expectations, The\",\r\n";
        var dataset = Load(Header + "1,11,4.0,100\n", moviesCsv: movies);

        Assert.Equal(("American President, The", 1995), (dataset.Movies[11].Title, dataset.Movies[11].Year));
        Assert.Equal(["Comedy", "Drama", "Romance"], dataset.Movies[11].Genres);
        Assert.Equal(("11'09\"01 - September 11", 2002), (dataset.Movies[7789].Title, dataset.Movies[7789].Year));
        Assert.Equal(("Seven (a.k.a. Se7en)", 1995), (dataset.Movies[47].Title, dataset.Movies[47].Year));
        Assert.Equal(("Babylon 5", (int?)null), (dataset.Movies[40697].Title, dataset.Movies[40697].Year));
        Assert.Empty(dataset.Movies[143410].Genres);
        Assert.Equal(("\"Great\" Expectations, The", (int?)null), (dataset.Movies[5].Title, dataset.Movies[5].Year));
        Assert.Empty(dataset.Movies[5].Genres);
        Assert.Equal("American President, The", dataset.GetMovieByIndex(0)!.Title);
    }

    [Fact]
    public void QuotedTags_AreDecodedAndKeptPerMovie()
    {
        var tags = "userId,movieId,tag,timestamp\n2,10,funny,1\n3,10,\"dark, gritty\",2\n4,10,\"\"\"artsy\"\"\",3\n4,11,funny,4\n";
        var dataset = Load(Header + "1,10,4.0,100\n", tagsCsv: tags);

        Assert.Equal(["funny", "dark, gritty", "\"artsy\""], dataset.Tags[10]);
        Assert.Equal(["funny"], dataset.Tags[11]);
        Assert.Same(dataset.Tags[10][0], dataset.Tags[11][0]);
    }

    [Fact]
    public void Duplicates_KeepTheLatestTimestamp_AndAreCounted()
    {
        var dataset = Load(Header + "1,10,1.0,300\n1,11,2.0,100\n1,10,3.0,200\n1,10,4.0,250\n2,10,5.0,50\n");

        Assert.Equal([(1, 10, 1.0f, 300L), (1, 11, 2.0f, 100L), (2, 10, 5.0f, 50L)], Rows(dataset));
        Assert.Equal(2, dataset.Report.DuplicatesMerged);
        Assert.Equal((5L, 3L), (dataset.Report.RowsRead, dataset.Report.RowsKept));
        Assert.Equal(0, dataset.Report.ProblemCount);
    }

    [Fact]
    public void Duplicates_WithEqualTimestamps_KeepTheLaterRow()
    {
        var dataset = Load(Header + "1,10,1.0,100\n1,10,2.0,100\n1,10,3.0,100\n");

        Assert.Equal([(1, 10, 3.0f, 100L)], Rows(dataset));
        Assert.Equal(2, dataset.Report.DuplicatesMerged);
    }

    [Fact]
    public void Duplicates_AreFound_WhenAUsersRowsAreNotContiguous()
    {
        using var temp = new TempFolder();
        temp.Write("u.data", "1\t10\t1\t500\n2\t10\t2\t100\n1\t10\t3\t400\n2\t11\t4\t100\n2\t10\t5\t100\n1\t12\t1\t1\n");

        var dataset = MovieLensReader.Load(temp.Folder);

        Assert.Equal([(1, 10, 1.0f, 500L), (2, 11, 4.0f, 100L), (2, 10, 5.0f, 100L), (1, 12, 1.0f, 1L)], Rows(dataset));
        Assert.Equal(2, dataset.Report.DuplicatesMerged);
    }

    [Fact]
    public void SmallBlocksOnSeveralThreads_GiveTheSameRowsAndLineNumbers()
    {
        var text = new StringBuilder(Header);
        for (var row = 0; row < 3000; row++)
        {
            text.Append($"{row / 30 + 1},{row % 97 * 3 + 1},{row % 10 / 2.0 + 0.5:0.0},{1_000_000 + row}\r\n");
        }
        text.Append("1,2,4.0\r\n");
        text.Append("1,2,4.0,1000");
        var skip = new IngestionOptions { SkipBadRows = true };

        var oneBlock = Load(text.ToString(), skip with { MaxDegreeOfParallelism = 1 });
        var manyBlocks = Load(text.ToString(), skip with { MaxDegreeOfParallelism = 2, BlockSize = 64 });

        Assert.Equal(Rows(oneBlock), Rows(manyBlocks));
        Assert.Equal(3002, manyBlocks.Report.RowsRead);
        Assert.Equal(3002, Assert.Single(manyBlocks.Report.Problems).Line);
        Assert.Equal(oneBlock.Fingerprint, manyBlocks.Fingerprint);
    }

    [Fact]
    public void LineLongerThanABlock_IsReadWhole()
    {
        var longTimestamp = new string('7', 300);
        var error = Assert.Throws<IngestionException>(() =>
            Load(Header + "1,10,4.0,100\n1,11,4.0," + longTimestamp + "\n1,12,4.0,102\n", new IngestionOptions { BlockSize = 64 }));

        var problem = Assert.Single(error.Problems);
        Assert.Equal((3L, ProblemReasons.TimestampNotInteger), (problem.Line, problem.Reason));
        Assert.EndsWith(longTimestamp[..100], problem.Text.TrimEnd('…'));
    }

    [Fact]
    public void Fingerprint_FollowsTheBytes()
    {
        var first = Load(Header + "1,10,4.0,100\n");
        var same = Load(Header + "1,10,4.0,100\n");
        var changed = Load(Header + "1,10,4.0,101\n");

        Assert.Equal(first.Fingerprint, same.Fingerprint);
        Assert.NotEqual(first.Fingerprint, changed.Fingerprint);
    }

    [Fact]
    public void Ml1MRelease_ReadsLatin1DatFilesAndDemographicCodes()
    {
        using var temp = new TempFolder("ml-1m");
        temp.Write("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n");
        temp.Write("movies.dat", "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n661::Misérables, Les (1995)::Drama|Musical\n", Encoding.Latin1);
        temp.Write("users.dat", "1::F::1::10::48067\n2::M::56::16::70072\n");

        var dataset = MovieLensReader.Load(temp.Folder);

        Assert.Equal("ml-1m", dataset.Format);
        Assert.Equal(RatingScale.WholeStars, dataset.Scale);
        Assert.Equal([(1, 1193, 5f, 978300760L), (1, 661, 3f, 978302109L), (2, 1193, 4f, 978298413L)], Rows(dataset));
        Assert.Equal(("Misérables, Les", 1995), (dataset.Movies[661].Title, dataset.Movies[661].Year));
        Assert.Equal(["Drama", "Musical"], dataset.Movies[661].Genres);
        Assert.Equal(new UserProfile(1, 1, "F", "K-12 student", "48067"), dataset.UserProfiles[1]);
        Assert.Equal(new UserProfile(2, 56, "M", "self-employed", "70072"), dataset.UserProfiles[2]);
    }

    [Fact]
    public void Ml10MRelease_ReadsHalfStarsUtf8AndTags()
    {
        using var temp = new TempFolder();
        temp.Write("ratings.dat", "1::122::5::838985046\n1::185::4.5::838983525\n");
        temp.Write("movies.dat", "122::Boomerang (1992)::Comedy|Romance\n185::Net, The (1995)::Action|Crime|Thriller\n");
        temp.Write("tags.dat", "15::4973::excellent!::1215184630\n20::185::a::b::1188263880\n");

        var dataset = MovieLensReader.Load(temp.Folder);

        Assert.Equal("ml-10m", dataset.Format);
        Assert.Equal([5f, 4.5f], dataset.Interactions.Ratings.ToArray());
        Assert.Equal("Net, The", dataset.Movies[185].Title);
        Assert.Equal(["excellent!"], dataset.Tags[4973]);
        Assert.Equal(["a::b"], dataset.Tags[185]);
    }

    [Fact]
    public void Ml100KRelease_UsesGenreNamesFromUGenre()
    {
        using var temp = new TempFolder();
        temp.Write("u.data", "1\t1\t5\t874965758\n");
        var flags = string.Join('|', Enumerable.Range(0, 19).Select(genre => genre is 1 or 18 ? "1" : "0"));
        temp.Write("u.item", $"1|Toy Story (1995)|01-Jan-1995||http://example|{flags}\n2|Heidi Fleiss: Hollywood Madam|09-Feb-1996||url|{flags}\n");
        temp.Write("u.genre", string.Join('\n', Enumerable.Range(0, 19).Select(genre => $"g{genre}|{genre}")) + "\n\n");

        var dataset = MovieLensReader.Load(temp.Folder);

        Assert.Equal(["g1", "g18"], dataset.Movies[1].Genres);
        Assert.Equal(1996, dataset.Movies[2].Year);
        Assert.Equal(0, dataset.Report.ProblemCount);
        Assert.Equal(19, Assert.Single(dataset.Report.FileReports, file => file.File == "u.genre").RowsKept);
    }
}
