using System.Text;
using Recommender.Model.Data;

namespace Recommender.Model.Tests.Ingestion;

public class BadInputTests
{
    private const string Header = "userId,movieId,rating,timestamp\n";

    private static IngestionException LoadFails(string ratingsCsv, IngestionOptions? options = null)
    {
        using var temp = new TempFolder();
        temp.Write("ratings.csv", ratingsCsv);
        return Assert.Throws<IngestionException>(() => MovieLensReader.Load(temp.Folder, options));
    }

    private static IngestionProblem SingleProblem(string ratingsCsv)
    {
        var error = LoadFails(ratingsCsv);
        Assert.Equal(1, error.ProblemCount);
        return Assert.Single(error.Problems);
    }

    [Fact]
    public void MissingTrailingField_IsAWrongFieldCount_WithFileLineAndText()
    {
        var problem = SingleProblem(Header + "1,10,4.0,100\n1,11,3.5\n");

        Assert.Equal(("ratings.csv", 3L, "1,11,3.5", ProblemReasons.WrongFieldCount), (problem.File, problem.Line, problem.Text, problem.Reason));
        Assert.Contains("found 3", problem.Detail);
        Assert.StartsWith("ratings.csv:3: wrong field count", problem.ToString());
    }

    [Fact]
    public void ExtraField_IsAWrongFieldCount()
    {
        Assert.Equal(ProblemReasons.WrongFieldCount, SingleProblem(Header + "1,10,4.0,100,7\n").Reason);
    }

    [Fact]
    public void BlankLine_IsAWrongFieldCount()
    {
        var problem = SingleProblem(Header + "1,10,4.0,100\n\n1,11,4.0,101\n");

        Assert.Equal((3L, ProblemReasons.WrongFieldCount), (problem.Line, problem.Reason));
    }

    [Theory]
    [InlineData("1,10,abc,100", ProblemReasons.NonNumericField, "rating 'abc'")]
    [InlineData("x,10,4.0,100", ProblemReasons.NonNumericField, "userId 'x'")]
    [InlineData("1,1.5,4.0,100", ProblemReasons.NonNumericField, "movieId '1.5'")]
    [InlineData("1,10,9,100", ProblemReasons.RatingOutsideScale, "rating 9")]
    [InlineData("1,10,3.25,100", ProblemReasons.RatingOutsideScale, "rating 3.25")]
    [InlineData("1,10,0,100", ProblemReasons.RatingOutsideScale, "rating 0")]
    [InlineData("1,10,-1,100", ProblemReasons.RatingOutsideScale, "rating -1")]
    [InlineData("0,10,4.0,100", ProblemReasons.NonPositiveId, "userId 0")]
    [InlineData("1,-10,4.0,100", ProblemReasons.NonPositiveId, "movieId -10")]
    [InlineData("1,99999999999,4.0,100", ProblemReasons.IdOutOfRange, "movieId 99999999999")]
    [InlineData("1,10,4.0,12.5", ProblemReasons.TimestampNotInteger, "timestamp '12.5'")]
    [InlineData("1,10,4.0,", ProblemReasons.TimestampNotInteger, "timestamp ''")]
    [InlineData("1,10,4.0,soon", ProblemReasons.TimestampNotInteger, "timestamp 'soon'")]
    [InlineData("1, 10,4.0,100", ProblemReasons.NonNumericField, "movieId ' 10'")]
    public void BadField_IsReportedWithItsReasonAndValue(string row, string reason, string detail)
    {
        var problem = SingleProblem(Header + "1,1,4.0,1\n" + row + "\n");

        Assert.Equal((3L, row, reason), (problem.Line, problem.Text, problem.Reason));
        Assert.Contains(detail, problem.Detail);
    }

    [Fact]
    public void HalfStar_IsOutsideTheWholeStarScaleOfMl100K()
    {
        using var temp = new TempFolder();
        temp.Write("u.data", "1\t10\t4\t100\n1\t11\t3.5\t101\n");

        var error = Assert.Throws<IngestionException>(() => MovieLensReader.Load(temp.Folder));

        var problem = Assert.Single(error.Problems);
        Assert.Equal(("u.data", 2L, ProblemReasons.RatingOutsideScale), (problem.File, problem.Line, problem.Reason));
        Assert.Contains("1..5 in steps of 1", problem.Detail);
    }

    [Fact]
    public void EmptyRatingsFile_FailsAsEmptyFile_EvenWhenSkipping()
    {
        using var temp = new TempFolder();
        temp.Write("ratings.csv", "");

        var error = Assert.Throws<IngestionException>(() => MovieLensReader.Load(temp.Folder, new IngestionOptions { SkipBadRows = true }));

        Assert.Equal(ProblemReasons.EmptyFile, Assert.Single(error.Problems).Reason);
        Assert.Contains("ratings.csv: empty file", error.Message);
    }

    [Fact]
    public void HeaderOnlyRatingsFile_FailsAsEmptyFile()
    {
        var problem = SingleProblem(Header);

        Assert.Equal(ProblemReasons.EmptyFile, problem.Reason);
        Assert.Contains("header but no rows", problem.Detail);
    }

    [Fact]
    public void EmptyMoviesFile_FailsAsEmptyFile()
    {
        using var temp = new TempFolder();
        temp.Write("ratings.csv", Header + "1,1,4.0,1\n");
        temp.Write("movies.csv", "");

        var error = Assert.Throws<IngestionException>(() => MovieLensReader.Load(temp.Folder));

        var problem = Assert.Single(error.Problems);
        Assert.Equal(("movies.csv", ProblemReasons.EmptyFile), (problem.File, problem.Reason));
    }

    [Theory]
    [InlineData("user,movie,rating,timestamp\n1,1,4.0,1\n")]
    [InlineData("1,1,4.0,1\n2,1,4.0,1\n")]
    public void MissingOrWrongHeader_FailsAsBadHeader(string ratingsCsv)
    {
        var problem = SingleProblem(ratingsCsv);

        Assert.Equal((1L, ProblemReasons.BadHeader), (problem.Line, problem.Reason));
        Assert.Contains("userId,movieId,rating,timestamp", problem.Detail);
    }

    [Fact]
    public void FolderWithoutRatingsFile_FailsAsMissingRatingsFile()
    {
        using var temp = new TempFolder();
        temp.Write("movies.csv", "movieId,title,genres\n1,Toy Story (1995),Comedy\n");

        var error = Assert.Throws<IngestionException>(() => MovieLensReader.Load(temp.Folder));

        Assert.Equal(ProblemReasons.MissingRatingsFile, Assert.Single(error.Problems).Reason);
        Assert.Contains("'ratings.csv'", error.Message);
    }

    [Fact]
    public void FolderWithoutAnyMovieLensFile_FailsAsUnrecognisedLayout()
    {
        using var temp = new TempFolder();
        temp.Write("notes.txt", "nothing here");
        temp.Write("other.txt", "nor here");

        var error = Assert.Throws<IngestionException>(() => MovieLensReader.Load(temp.Folder));

        Assert.Equal(ProblemReasons.UnrecognisedLayout, Assert.Single(error.Problems).Reason);
        Assert.Contains("notes.txt", error.Message);
    }

    [Fact]
    public void InvalidUtf8InRatings_IsReportedAsInvalidUtf8()
    {
        using var temp = new TempFolder();
        var bytes = Encoding.ASCII.GetBytes(Header + "1,1,4.0,1\n1,2,4.0,2").Concat(new byte[] { 0xFF, 0xFE, (byte)'\n' }).ToArray();
        temp.WriteBytes("ratings.csv", bytes);

        var error = Assert.Throws<IngestionException>(() => MovieLensReader.Load(temp.Folder));

        var problem = Assert.Single(error.Problems);
        Assert.Equal((3L, ProblemReasons.InvalidUtf8), (problem.Line, problem.Reason));
    }

    [Fact]
    public void Latin1MoviesCsv_IsReportedAsInvalidUtf8OnTheLine()
    {
        using var temp = new TempFolder();
        temp.Write("ratings.csv", Header + "1,1,4.0,1\n");
        temp.Write("movies.csv", "movieId,title,genres\n1,Toy Story (1995),Comedy\n73,\"Misérables, Les (1995)\",Drama\n", Encoding.Latin1);

        var error = Assert.Throws<IngestionException>(() => MovieLensReader.Load(temp.Folder));

        var problem = Assert.Single(error.Problems);
        Assert.Equal(("movies.csv", 3L, ProblemReasons.InvalidUtf8), (problem.File, problem.Line, problem.Reason));
    }

    [Fact]
    public void MalformedQuotingInMovies_IsReported()
    {
        using var temp = new TempFolder();
        temp.Write("ratings.csv", Header + "1,1,4.0,1\n");
        temp.Write("movies.csv", "movieId,title,genres\n1,\"Toy Story (1995),Comedy\n2,Jumanji \"(1995)\",Adventure\n");

        var error = Assert.Throws<IngestionException>(() => MovieLensReader.Load(temp.Folder));

        Assert.Equal([(2L, ProblemReasons.MalformedQuoting), (3L, ProblemReasons.MalformedQuoting)],
            error.Problems.Select(problem => (problem.Line, problem.Reason)));
    }

    [Fact]
    public void BadRowsInSeveralFiles_AreAllReportedInFileOrder()
    {
        using var temp = new TempFolder();
        temp.Write("ratings.csv", Header + "1,1,4.0,1\n1,2,x,2\n");
        temp.Write("movies.csv", "movieId,title,genres\nabc,Toy Story (1995),Comedy\n");
        temp.Write("tags.csv", "userId,movieId,tag,timestamp\n1,1,funny\n");

        var error = Assert.Throws<IngestionException>(() => MovieLensReader.Load(temp.Folder));

        Assert.Equal(
            [("movies.csv", 2L, ProblemReasons.NonNumericField), ("ratings.csv", 3L, ProblemReasons.NonNumericField), ("tags.csv", 2L, ProblemReasons.WrongFieldCount)],
            error.Problems.Select(problem => (problem.File, problem.Line, problem.Reason)));
        Assert.NotNull(error.Report);
        Assert.Equal(2, error.Report.RowsRead);
    }

    [Fact]
    public void ManyBadRows_MessageListsTheFirst20AndTheTotal()
    {
        var rows = new StringBuilder(Header);
        for (var row = 0; row < 25; row++)
        {
            rows.Append($"1,{row + 1},{(row % 2 == 0 ? "abc" : "4.0")},{(row % 2 == 0 ? "1" : "x")}\n");
        }

        var error = LoadFails(rows.ToString());

        Assert.Equal(25, error.ProblemCount);
        Assert.Equal(20, error.Problems.Count);
        Assert.Equal(Enumerable.Range(2, 20).Select(line => (long)line), error.Problems.Select(problem => problem.Line));
        Assert.Contains("25 problem(s); the first 20:", error.Message);
        Assert.Contains("... and 5 more.", error.Message);
        Assert.Contains("ratings.csv:20: non-numeric field (rating 'abc' is not a number): '1,19,abc,1'", error.Message);
        Assert.Contains("ratings.csv:21: timestamp not an integer", error.Message);
        Assert.DoesNotContain("ratings.csv:22:", error.Message);
        Assert.Contains("SkipBadRows", error.Message);
    }

    [Fact]
    public void SkipBadRows_SkipsAndCountsEveryRowPerReason()
    {
        using var temp = new TempFolder();
        temp.Write("ratings.csv", Header
            + "1,1,4.0,1\n"
            + "1,2,abc,2\n"
            + "1,3,9,3\n"
            + "1,4,4.0\n"
            + "0,5,4.0,5\n"
            + "1,6,4.0,6.5\n"
            + "1,7,2.5,7\n"
            + "1,8,11,8\n"
            + "1,1,5.0,9\n");

        var dataset = MovieLensReader.Load(temp.Folder, new IngestionOptions { SkipBadRows = true });
        var report = dataset.Report;

        Assert.Equal(9, report.RowsRead);
        Assert.Equal(2, report.RowsKept);
        Assert.Equal(1, report.DuplicatesMerged);
        Assert.Equal(6, report.RowsSkipped);
        Assert.Equal(new Dictionary<string, long>
        {
            [ProblemReasons.NonNumericField] = 1,
            [ProblemReasons.RatingOutsideScale] = 2,
            [ProblemReasons.WrongFieldCount] = 1,
            [ProblemReasons.NonPositiveId] = 1,
            [ProblemReasons.TimestampNotInteger] = 1,
        }, report.SkippedByReason);
        Assert.Equal(report.RowsRead, report.RowsKept + report.RowsSkipped + report.DuplicatesMerged);
        Assert.True(report.BadRowsSkipped);
        Assert.Equal(6, report.ProblemCount);
        Assert.Equal([3L, 4, 5, 6, 7, 9], report.Problems.Select(problem => problem.Line));
        Assert.Contains("rating outside scale: 2", report.ToString());
        // The duplicate of (1, 1) survives at its own, later position.
        Assert.Equal([2.5f, 5.0f], dataset.Interactions.Ratings.ToArray());
    }

    [Fact]
    public void SkipBadRows_AlsoSkipsBadMetadataRows_AndCountsThemPerFile()
    {
        using var temp = new TempFolder();
        temp.Write("ratings.csv", Header + "1,1,4.0,1\n");
        temp.Write("movies.csv", "movieId,title,genres\n1,Toy Story (1995),Comedy\n1,Toy Story again (1995),Comedy\nx,Bad,Drama\n");

        var dataset = MovieLensReader.Load(temp.Folder, new IngestionOptions { SkipBadRows = true });

        var movies = Assert.Single(dataset.Report.FileReports, file => file.File == "movies.csv");
        Assert.Equal((3L, 1L, 2L), (movies.RowsRead, movies.RowsKept, movies.RowsSkipped));
        Assert.Equal(1, movies.SkippedByReason[ProblemReasons.DuplicateId]);
        Assert.Equal(1, movies.SkippedByReason[ProblemReasons.NonNumericField]);
        Assert.Equal("Toy Story", Assert.Single(dataset.Movies).Value.Title);
        Assert.Equal(0, dataset.Report.RowsSkipped);
        Assert.Equal(2, dataset.Report.ProblemCount);
    }

    [Fact]
    public void Ml1MFormat_ChecksFieldsOfDatFiles()
    {
        using var temp = new TempFolder("ml-1m");
        temp.Write("ratings.dat", "1::10::5::978300760\n1::11::4.5::978300761\n1::12::4\n");
        temp.Write("users.dat", "1::F::1::10::48067\n2::M::56::99::70072\n");

        var error = Assert.Throws<IngestionException>(() => MovieLensReader.Load(temp.Folder));

        Assert.Equal(
            [("ratings.dat", 2L, ProblemReasons.RatingOutsideScale), ("ratings.dat", 3L, ProblemReasons.WrongFieldCount), ("users.dat", 2L, ProblemReasons.InvalidField)],
            error.Problems.Select(problem => (problem.File, problem.Line, problem.Reason)));
    }
}
