using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace Recommender.Model.Data.Parsing;

/// <summary>
/// Reads a release's catalogue, links, tags, users and genre files line by line, with the same per-row problem
/// reporting as the ratings file. Repeated strings (genres, tags) are stored once.
/// </summary>
internal sealed class MetadataReader(MovieLensFormat format, ProblemLog log, IngestionReport report, IncrementalHash hash)
{
    private static ReadOnlySpan<byte> NoGenres => "(no genres listed)"u8;

    /// <summary>The ml-100k genre flags in order, used when u.genre is absent.</summary>
    private static readonly string[] Ml100KGenres =
    [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
        "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ];

    /// <summary>ml-1m users.dat occupation codes, from the release README.</summary>
    private static readonly string[] Ml1MOccupations =
    [
        "other", "academic/educator", "artist", "clerical/admin", "college/grad student", "customer service",
        "doctor/health care", "executive/managerial", "farmer", "homemaker", "K-12 student", "lawyer", "programmer",
        "retired", "sales/marketing", "scientist", "self-employed", "technician/engineer", "tradesman/craftsman",
        "unemployed", "writer",
    ];

    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly string[] _ml100KGenres = [.. Ml100KGenres];
    private readonly Dictionary<int, (int? Imdb, int? Tmdb)> _links = [];
    private readonly Dictionary<int, List<string>> _tags = [];

    public Dictionary<int, MovieInfo> Movies { get; } = [];
    public Dictionary<int, UserProfile> Users { get; } = [];

    public void Read(ReleaseFile file, Stream stream, IngestedFileReport fileReport)
    {
        var reader = new LineReader(stream, hash);
        var context = new FileContext(file.Name, reader, fileReport, new RowRejections(file.Name, format.TextEncoding, log.MaxListed));
        switch (file.Role)
        {
            case FileRole.Movies when format == MovieLensFormat.Latest:
                ReadRows(context, "movieId,title,genres"u8, MoviesCsvRow);
                break;
            case FileRole.Movies when format == MovieLensFormat.Ml100K:
                ReadRows(context, default, ItemRow);
                break;
            case FileRole.Movies:
                ReadRows(context, default, MoviesDatRow);
                break;
            case FileRole.Links:
                ReadRows(context, "movieId,imdbId,tmdbId"u8, LinksCsvRow);
                break;
            case FileRole.Tags when format == MovieLensFormat.Latest:
                ReadRows(context, "userId,movieId,tag,timestamp"u8, TagsCsvRow);
                break;
            case FileRole.Tags:
                ReadRows(context, default, TagsDatRow);
                break;
            case FileRole.Users when format == MovieLensFormat.Ml100K:
                ReadRows(context, default, UserRow100K);
                break;
            case FileRole.Users:
                ReadRows(context, default, UsersDatRow);
                break;
            case FileRole.Genres:
                ReadRows(context, default, GenreRow, skipBlankLines: true);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(file), file.Role, "Not a metadata role.");
        }
        fileReport.Bytes = reader.BytesRead;
        log.Merge(context.Rejections, fileReport);
    }

    /// <summary>The catalogue with links attached.</summary>
    public Dictionary<int, MovieInfo> MoviesWithLinks()
    {
        foreach (var (movieId, (imdb, tmdb)) in _links)
        {
            if (Movies.TryGetValue(movieId, out var movie))
            {
                Movies[movieId] = movie with { ImdbId = imdb, TmdbId = tmdb };
            }
        }
        return Movies;
    }

    public Dictionary<int, IReadOnlyList<string>> TagsByMovie() =>
        _tags.ToDictionary(pair => pair.Key, pair => (IReadOnlyList<string>)pair.Value.ToArray());

    private delegate (string Reason, string Detail)? RowParser(ReadOnlySpan<byte> line);

    private sealed record FileContext(string File, LineReader Reader, IngestedFileReport Report, RowRejections Rejections);

    private void ReadRows(FileContext context, ReadOnlySpan<byte> header, RowParser parseRow, bool skipBlankLines = false)
    {
        var hasLines = false;
        while (context.Reader.TryReadLine(out var line))
        {
            if (!hasLines)
            {
                hasLines = true;
                if (!header.IsEmpty)
                {
                    if (!line.SequenceEqual(header))
                    {
                        throw log.FailFile(context.File, ProblemReasons.BadHeader, $"expected the header '{Encoding.ASCII.GetString(header)}'",
                            report, line: 1, text: RowRejections.Display(line, format.TextEncoding));
                    }
                    continue;
                }
            }
            // u.genre ends with a blank line, which holds no data.
            if (line.IsEmpty && skipBlankLines)
            {
                continue;
            }
            context.Report.RowsRead++;
            var problem = format.IsUtf8 && !Utf8.IsValid(line)
                ? (ProblemReasons.InvalidUtf8, "the line is not valid UTF-8")
                : parseRow(line);
            if (problem is { } rejected)
            {
                context.Rejections.Add(context.Reader.LineNumber, line, rejected.Item1, rejected.Item2);
            }
            else
            {
                context.Report.RowsKept++;
            }
        }
        if (!hasLines)
        {
            throw log.FailFile(context.File, ProblemReasons.EmptyFile, "the file has no bytes", report);
        }
    }

    private (string, string)? MoviesCsvRow(ReadOnlySpan<byte> line)
    {
        Span<FieldRange> fields = stackalloc FieldRange[3];
        var count = FieldSplitter.SplitCsv(line, fields);
        return CheckFieldCount(count, 3, "movieId, title, genres")
            ?? RatingsFileParser.ParseId(fields[0].Of(line), "movieId", out var movieId)
            ?? AddMovie(movieId, Text(line, fields[1]), SplitGenres(fields[2].Of(line)), fallbackYear: null);
    }

    private (string, string)? MoviesDatRow(ReadOnlySpan<byte> line)
    {
        // movieId::title::genres, where the title runs from the first separator to the last.
        var first = line.IndexOf("::"u8);
        var last = line.LastIndexOf("::"u8);
        if (first < 0 || last <= first)
        {
            return (ProblemReasons.WrongFieldCount, $"expected 3 fields (movieId, title, genres), found {(first < 0 ? 1 : 2)}");
        }
        return RatingsFileParser.ParseId(line[..first], "movieId", out var movieId)
            ?? AddMovie(movieId, format.TextEncoding.GetString(line[(first + 2)..last]), SplitGenres(line[(last + 2)..]), fallbackYear: null);
    }

    private (string, string)? ItemRow(ReadOnlySpan<byte> line)
    {
        // id|title|release date|video release date|IMDb URL|19 genre flags
        const int flagsStart = 5;
        Span<FieldRange> fields = stackalloc FieldRange[flagsStart + Ml100KGenres.Length];
        var count = FieldSplitter.Split(line, "|"u8, fields);
        if (CheckFieldCount(count, fields.Length, "id, title, release date, video release date, IMDb URL and 19 genre flags") is { } wrongCount)
        {
            return wrongCount;
        }
        if (RatingsFileParser.ParseId(fields[0].Of(line), "movieId", out var movieId) is { } badId)
        {
            return badId;
        }
        var genres = new List<string>();
        for (var genre = 0; genre < Ml100KGenres.Length; genre++)
        {
            var flag = fields[flagsStart + genre].Of(line);
            if (!flag.SequenceEqual("0"u8) && !flag.SequenceEqual("1"u8))
            {
                return (ProblemReasons.InvalidField, $"genre flag {genre} ({_ml100KGenres[genre]}) is '{RatingsFileParser.Ascii(flag)}', not 0 or 1");
            }
            // "unknown" is ml-100k's way of saying no genre, like ml-latest's "(no genres listed)".
            if (flag[0] == (byte)'1' && genre > 0)
            {
                genres.Add(_ml100KGenres[genre]);
            }
        }
        // The release date ("01-Jan-1995") stands in for the year when the title has none.
        var releaseDate = fields[2].Of(line);
        int? releaseYear = releaseDate.Length >= 4 && AsciiNumbers.ParseInteger(releaseDate[^4..], out var year) == NumberParse.Ok ? (int)year : null;
        return AddMovie(movieId, format.TextEncoding.GetString(fields[1].Of(line)), genres, releaseYear);
    }

    private (string, string)? AddMovie(int movieId, string rawTitle, IReadOnlyList<string> genres, int? fallbackYear)
    {
        if (Movies.ContainsKey(movieId))
        {
            return (ProblemReasons.DuplicateId, $"movieId {movieId} is listed before");
        }
        var (title, year) = MovieTitle.SplitYear(rawTitle);
        Movies.Add(movieId, new MovieInfo(movieId, title, year ?? fallbackYear, genres));
        return null;
    }

    private string[] SplitGenres(ReadOnlySpan<byte> field)
    {
        if (field.IsEmpty || field.SequenceEqual(NoGenres))
        {
            return [];
        }
        var genres = new List<string>();
        foreach (var range in field.Split((byte)'|'))
        {
            genres.Add(Intern(field[range]));
        }
        return [.. genres];
    }

    private (string, string)? LinksCsvRow(ReadOnlySpan<byte> line)
    {
        Span<FieldRange> fields = stackalloc FieldRange[3];
        var count = FieldSplitter.SplitCsv(line, fields);
        return CheckFieldCount(count, 3, "movieId, imdbId, tmdbId")
            ?? RatingsFileParser.ParseId(fields[0].Of(line), "movieId", out var movieId)
            ?? ParseOptionalId(fields[1].Of(line), "imdbId", out var imdbId)
            ?? ParseOptionalId(fields[2].Of(line), "tmdbId", out var tmdbId)
            ?? AddLink(movieId, imdbId, tmdbId);
    }

    private (string, string)? AddLink(int movieId, int? imdbId, int? tmdbId) =>
        _links.TryAdd(movieId, (imdbId, tmdbId)) ? null : (ProblemReasons.DuplicateId, $"movieId {movieId} is listed before");

    private static (string, string)? ParseOptionalId(ReadOnlySpan<byte> field, string name, out int? id)
    {
        id = null;
        if (field.IsEmpty)
        {
            return null;
        }
        var problem = RatingsFileParser.ParseId(field, name, out var value);
        id = value;
        return problem;
    }

    private (string, string)? TagsCsvRow(ReadOnlySpan<byte> line)
    {
        Span<FieldRange> fields = stackalloc FieldRange[4];
        var count = FieldSplitter.SplitCsv(line, fields);
        return CheckFieldCount(count, 4, "userId, movieId, tag, timestamp")
            ?? RatingsFileParser.ParseId(fields[0].Of(line), "userId", out _)
            ?? RatingsFileParser.ParseId(fields[1].Of(line), "movieId", out var movieId)
            ?? RatingsFileParser.ParseTimestamp(fields[3].Of(line), out _)
            ?? AddTag(movieId, fields[2].Quoted ? Intern(Text(line, fields[2])) : Intern(fields[2].Of(line)));
    }

    private (string, string)? TagsDatRow(ReadOnlySpan<byte> line)
    {
        // userId::movieId::tag::timestamp, where the tag runs from the second separator to the last.
        var first = line.IndexOf("::"u8);
        var second = first < 0 ? -1 : line[(first + 2)..].IndexOf("::"u8);
        var last = line.LastIndexOf("::"u8);
        if (second < 0 || last <= first + 2 + second)
        {
            var found = 1 + line.Count("::"u8);
            return (ProblemReasons.WrongFieldCount, $"expected 4 fields (userId, movieId, tag, timestamp), found {found}");
        }
        second += first + 2;
        return RatingsFileParser.ParseId(line[..first], "userId", out _)
            ?? RatingsFileParser.ParseId(line[(first + 2)..second], "movieId", out var movieId)
            ?? RatingsFileParser.ParseTimestamp(line[(last + 2)..], out _)
            ?? AddTag(movieId, Intern(line[(second + 2)..last]));
    }

    private (string, string)? AddTag(int movieId, string tag)
    {
        if (!_tags.TryGetValue(movieId, out var tags))
        {
            tags = [];
            _tags.Add(movieId, tags);
        }
        tags.Add(tag);
        return null;
    }

    private (string, string)? UserRow100K(ReadOnlySpan<byte> line)
    {
        // id|age|gender|occupation|zip
        Span<FieldRange> fields = stackalloc FieldRange[5];
        var count = FieldSplitter.Split(line, "|"u8, fields);
        if (CheckFieldCount(count, 5, "id, age, gender, occupation, zip code") is { } wrongCount)
        {
            return wrongCount;
        }
        if (RatingsFileParser.ParseId(fields[0].Of(line), "userId", out var userId) is { } badId)
        {
            return badId;
        }
        if (AsciiNumbers.ParseInteger(fields[1].Of(line), out var age) != NumberParse.Ok || age is < 0 or > 200)
        {
            return (ProblemReasons.NonNumericField, $"age '{RatingsFileParser.Ascii(fields[1].Of(line))}' is not an age in years");
        }
        return AddUser(new UserProfile(userId, (int)age, Intern(fields[2].Of(line)), Intern(fields[3].Of(line)), Text(line, fields[4])));
    }

    private (string, string)? UsersDatRow(ReadOnlySpan<byte> line)
    {
        // UserID::Gender::Age::Occupation::Zip-code, age and occupation as codes.
        Span<FieldRange> fields = stackalloc FieldRange[5];
        var count = FieldSplitter.Split(line, "::"u8, fields);
        if (CheckFieldCount(count, 5, "userId, gender, age, occupation, zip code") is { } wrongCount)
        {
            return wrongCount;
        }
        if (RatingsFileParser.ParseId(fields[0].Of(line), "userId", out var userId) is { } badId)
        {
            return badId;
        }
        if (AsciiNumbers.ParseInteger(fields[2].Of(line), out var ageGroup) != NumberParse.Ok || ageGroup is < 0 or > 200)
        {
            return (ProblemReasons.NonNumericField, $"age group '{RatingsFileParser.Ascii(fields[2].Of(line))}' is not a number");
        }
        if (AsciiNumbers.ParseInteger(fields[3].Of(line), out var occupation) != NumberParse.Ok || occupation < 0 || occupation >= Ml1MOccupations.Length)
        {
            return (ProblemReasons.InvalidField, $"occupation '{RatingsFileParser.Ascii(fields[3].Of(line))}' is not a code 0..{Ml1MOccupations.Length - 1}");
        }
        return AddUser(new UserProfile(userId, (int)ageGroup, Intern(fields[1].Of(line)), Ml1MOccupations[occupation], Text(line, fields[4])));
    }

    private (string, string)? AddUser(UserProfile user) =>
        Users.TryAdd(user.UserId, user) ? null : (ProblemReasons.DuplicateId, $"userId {user.UserId} is listed before");

    private (string, string)? GenreRow(ReadOnlySpan<byte> line)
    {
        // name|flag position
        Span<FieldRange> fields = stackalloc FieldRange[2];
        var count = FieldSplitter.Split(line, "|"u8, fields);
        if (CheckFieldCount(count, 2, "genre name, flag position") is { } wrongCount)
        {
            return wrongCount;
        }
        if (AsciiNumbers.ParseInteger(fields[1].Of(line), out var position) != NumberParse.Ok || position < 0 || position >= _ml100KGenres.Length)
        {
            return (ProblemReasons.InvalidField, $"genre position '{RatingsFileParser.Ascii(fields[1].Of(line))}' is not 0..{_ml100KGenres.Length - 1}");
        }
        _ml100KGenres[position] = Intern(fields[0].Of(line));
        return null;
    }

    private static (string, string)? CheckFieldCount(int count, int expected, string names) => count switch
    {
        FieldSplitter.MalformedQuoting => (ProblemReasons.MalformedQuoting, "a quote is unterminated, inside an unquoted field, or followed by text"),
        _ when count != expected => (ProblemReasons.WrongFieldCount, $"expected {expected} fields ({names}), found {count}"),
        _ => null,
    };

    private string Text(ReadOnlySpan<byte> line, FieldRange field)
    {
        var text = format.TextEncoding.GetString(field.Of(line));
        return field.Quoted ? text.Replace("\"\"", "\"", StringComparison.Ordinal) : text;
    }

    private string Intern(ReadOnlySpan<byte> bytes)
    {
        var maxChars = format.TextEncoding.GetMaxCharCount(bytes.Length);
        Span<char> chars = maxChars <= 256 ? stackalloc char[maxChars] : new char[maxChars];
        chars = chars[..format.TextEncoding.GetChars(bytes, chars)];
        return _strings.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars, out var text) ? text : Intern(chars.ToString());
    }

    private string Intern(string text)
    {
        if (_strings.TryGetValue(text, out var existing))
        {
            return existing;
        }
        _strings.Add(text, text);
        return text;
    }
}
