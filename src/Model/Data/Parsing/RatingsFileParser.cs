using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace Recommender.Model.Data.Parsing;

/// <summary>The ratings file's four columns with raw (file) ids, exactly as many elements as rows kept.</summary>
internal sealed record RawRatings(int[] Users, int[] Items, float[] Ratings, long[] Timestamps);

internal interface IFieldSeparator
{
    static abstract int Length { get; }
    static abstract bool IsAt(ReadOnlySpan<byte> data, int position);
}

internal readonly struct CommaSeparator : IFieldSeparator
{
    public static int Length => 1;
    public static bool IsAt(ReadOnlySpan<byte> data, int position) => (uint)position < (uint)data.Length && data[position] == (byte)',';
}

internal readonly struct TabSeparator : IFieldSeparator
{
    public static int Length => 1;
    public static bool IsAt(ReadOnlySpan<byte> data, int position) => (uint)position < (uint)data.Length && data[position] == (byte)'\t';
}

internal readonly struct DoubleColonSeparator : IFieldSeparator
{
    public static int Length => 2;
    public static bool IsAt(ReadOnlySpan<byte> data, int position) =>
        (uint)(position + 1) < (uint)data.Length && data[position] == (byte)':' && data[position + 1] == (byte)':';
}

/// <summary>
/// Parses a ratings file (ratings.csv, u.data, ratings.dat) from a stream at byte level. The calling thread reads
/// blocks that end at a line boundary and hashes them; worker threads parse blocks into column segments (no strings
/// per row) that are concatenated into exact-length columns at the end. Rows the fast path cannot take are re-read by
/// a strict parser that either accepts them or names the reason.
/// </summary>
internal sealed class RatingsFileParser
{
    private const int FieldCount = 4;
    private static readonly long[] FractionScale = [0, 100, 10, 1];

    private readonly string _file;
    private readonly MovieLensFormat _format;
    private readonly byte[] _separator;
    private readonly byte[]? _header;
    private readonly float[] _ratingByThousandths;
    private readonly int _blockSize;
    private readonly int _parallelism;
    private readonly int _maxListed;
    private readonly Func<byte[], int, int, ParsedBlock> _parseBlock;

    public RatingsFileParser(string file, MovieLensFormat format, IngestionOptions options)
    {
        _file = file;
        _format = format;
        if (format == MovieLensFormat.Latest)
        {
            _separator = ","u8.ToArray();
            _header = "userId,movieId,rating,timestamp"u8.ToArray();
            _parseBlock = ParseBlock<CommaSeparator>;
        }
        else if (format == MovieLensFormat.Ml100K)
        {
            _separator = "\t"u8.ToArray();
            _parseBlock = ParseBlock<TabSeparator>;
        }
        else
        {
            _separator = "::"u8.ToArray();
            _parseBlock = ParseBlock<DoubleColonSeparator>;
        }
        _ratingByThousandths = BuildRatingTable(format.Scale);
        _blockSize = Math.Max(options.BlockSize, 64);
        _parallelism = Math.Max(options.MaxDegreeOfParallelism, 1);
        _maxListed = options.MaxListedProblems;
    }

    public RawRatings Parse(Stream stream, IncrementalHash hash, IngestedFileReport fileReport, ProblemLog log, IngestionReport report)
    {
        var inFlight = new Queue<Task<ParsedBlock>>();
        var parsed = new List<ParsedBlock>();
        var spareBuffers = new Stack<byte[]>();
        var buffer = new byte[_blockSize];
        var filled = 0;
        var endOfStream = false;
        var firstBlock = true;
        long linesBefore = 0;

        void Harvest(ParsedBlock block)
        {
            log.Merge(block.Rejections, fileReport, linesBefore);
            linesBefore += block.Lines;
            fileReport.RowsRead += block.Lines;
            fileReport.RowsKept += block.Count;
            parsed.Add(block);
            spareBuffers.Push(block.ReleaseBuffer());
        }

        while (!endOfStream)
        {
            while (filled < buffer.Length)
            {
                var read = stream.Read(buffer, filled, buffer.Length - filled);
                if (read == 0)
                {
                    endOfStream = true;
                    break;
                }
                hash.AppendData(buffer, filled, read);
                fileReport.Bytes += read;
                filled += read;
            }

            int blockEnd;
            if (endOfStream)
            {
                blockEnd = filled;
            }
            else
            {
                var lastNewline = buffer.AsSpan(0, filled).LastIndexOf((byte)'\n');
                if (lastNewline < 0)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                    continue;
                }
                blockEnd = lastNewline + 1;
            }

            var blockStart = 0;
            if (firstBlock)
            {
                firstBlock = false;
                if (fileReport.Bytes == 0)
                {
                    throw log.FailFile(_file, ProblemReasons.EmptyFile, "the ratings file has no bytes", report);
                }
                blockStart = SkipHeader(buffer.AsSpan(0, blockEnd), log, report);
                linesBefore = _header is null ? 0 : 1;
            }

            var leftover = filled - blockEnd;
            var next = RentBuffer(spareBuffers, leftover);
            buffer.AsSpan(blockEnd, leftover).CopyTo(next);
            if (blockEnd > blockStart)
            {
                var (block, start, end) = (buffer, blockStart, blockEnd);
                inFlight.Enqueue(_parallelism == 1
                    ? Task.FromResult(_parseBlock(block, start, end))
                    : Task.Run(() => _parseBlock(block, start, end)));
            }
            buffer = next;
            filled = leftover;
            while (inFlight.Count > _parallelism)
            {
                Harvest(inFlight.Dequeue().Result);
            }
        }
        while (inFlight.Count > 0)
        {
            Harvest(inFlight.Dequeue().Result);
        }

        if (fileReport.RowsRead == 0)
        {
            throw log.FailFile(_file, ProblemReasons.EmptyFile,
                _header is null ? "the ratings file has no rows" : "the ratings file has a header but no rows", report);
        }
        return Concatenate(parsed);
    }

    /// <summary>Skips a byte order mark and validates and skips the header line; returns where the rows start.</summary>
    private int SkipHeader(ReadOnlySpan<byte> firstBlock, ProblemLog log, IngestionReport report)
    {
        var start = firstBlock.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        if (_header is null)
        {
            return start;
        }
        var rest = firstBlock[start..];
        var newline = rest.IndexOf((byte)'\n');
        var line = newline < 0 ? rest : rest[..newline];
        if (line.EndsWith((byte)'\r'))
        {
            line = line[..^1];
        }
        if (!line.SequenceEqual(_header))
        {
            throw log.FailFile(_file, ProblemReasons.BadHeader, $"expected the header '{Encoding.ASCII.GetString(_header)}'", report,
                line: 1, text: RowRejections.Display(line, _format.TextEncoding));
        }
        return newline < 0 ? firstBlock.Length : start + newline + 1;
    }

    private byte[] RentBuffer(Stack<byte[]> spareBuffers, int leftover)
    {
        var needed = Math.Max(_blockSize, 2 * leftover);
        while (spareBuffers.TryPop(out var spare))
        {
            if (spare.Length >= needed)
            {
                return spare;
            }
        }
        return new byte[needed];
    }

    private ParsedBlock ParseBlock<TSeparator>(byte[] buffer, int start, int end) where TSeparator : struct, IFieldSeparator
    {
        ReadOnlySpan<byte> data = buffer.AsSpan(start, end - start);
        var block = new ParsedBlock(buffer, capacity: data.Count((byte)'\n') + 1, new RowRejections(_file, _format.TextEncoding, _maxListed));
        var users = block.Users!;
        var items = block.Items!;
        var ratings = block.Ratings!;
        var timestamps = block.Timestamps!;
        var ratingTable = _ratingByThousandths;
        var count = 0;
        var line = 0;
        var position = 0;
        while (position < data.Length)
        {
            var lineStart = position;
            line++;
            if (TryParseRowFast<TSeparator>(data, ref position, ratingTable, out var user, out var item, out var rating, out var timestamp)
                || TryParseRowStrict(data, lineStart, line, block.Rejections, ref position, out user, out item, out rating, out timestamp))
            {
                users[count] = user;
                items[count] = item;
                ratings[count] = rating;
                timestamps[count] = timestamp;
                count++;
            }
        }
        block.Count = count;
        block.Lines = line;
        return block;
    }

    /// <summary>
    /// The common case: four unsigned numbers of plausible length, a rating on the scale, a line end.
    /// Returns false without judging anything else; the strict parser then decides.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParseRowFast<TSeparator>(ReadOnlySpan<byte> data, ref int position, float[] ratingTable,
        out int user, out int item, out float rating, out long timestamp) where TSeparator : struct, IFieldSeparator
    {
        user = item = 0;
        rating = 0;
        timestamp = 0;
        var p = position;
        var digits = ReadDigits(data, ref p, out var userValue);
        if ((uint)(digits - 1) > 8 || userValue == 0 || !TSeparator.IsAt(data, p))
        {
            return false;
        }
        p += TSeparator.Length;
        digits = ReadDigits(data, ref p, out var itemValue);
        if ((uint)(digits - 1) > 8 || itemValue == 0 || !TSeparator.IsAt(data, p))
        {
            return false;
        }
        p += TSeparator.Length;
        digits = ReadDigits(data, ref p, out var whole);
        if ((uint)(digits - 1) > 2)
        {
            return false;
        }
        var thousandths = whole * 1000;
        if ((uint)p < (uint)data.Length && data[p] == (byte)'.')
        {
            p++;
            digits = ReadDigits(data, ref p, out var fraction);
            if ((uint)(digits - 1) > 2)
            {
                return false;
            }
            thousandths += fraction * FractionScale[digits];
        }
        if ((ulong)thousandths >= (ulong)ratingTable.Length || float.IsNaN(rating = ratingTable[thousandths]) || !TSeparator.IsAt(data, p))
        {
            return false;
        }
        p += TSeparator.Length;
        digits = ReadDigits(data, ref p, out timestamp);
        if ((uint)(digits - 1) > 17)
        {
            return false;
        }
        if ((uint)p < (uint)data.Length)
        {
            var next = data[p];
            if (next == (byte)'\n')
            {
                p++;
            }
            else if (next == (byte)'\r' && (p + 1 == data.Length || data[p + 1] == (byte)'\n'))
            {
                p += p + 1 == data.Length ? 1 : 2;
            }
            else
            {
                return false;
            }
        }
        user = (int)userValue;
        item = (int)itemValue;
        position = p;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ReadDigits(ReadOnlySpan<byte> data, ref int position, out long value)
    {
        var start = position;
        long result = 0;
        while ((uint)position < (uint)data.Length)
        {
            var digit = (uint)(data[position] - '0');
            if (digit > 9)
            {
                break;
            }
            result = result * 10 + digit;
            position++;
        }
        value = result;
        return position - start;
    }

    /// <summary>Parses the line at <paramref name="lineStart"/> field by field, or records why it is rejected.</summary>
    private bool TryParseRowStrict(ReadOnlySpan<byte> data, int lineStart, int line, RowRejections rejections, ref int position,
        out int user, out int item, out float rating, out long timestamp)
    {
        user = item = 0;
        rating = 0;
        timestamp = 0;
        var newline = data[lineStart..].IndexOf((byte)'\n');
        var lineEnd = newline < 0 ? data.Length : lineStart + newline;
        position = newline < 0 ? data.Length : lineEnd + 1;
        var text = data[lineStart..lineEnd];
        if (text.EndsWith((byte)'\r'))
        {
            text = text[..^1];
        }

        var problem = _format.IsUtf8 && !Utf8.IsValid(text)
            ? (ProblemReasons.InvalidUtf8, "the line is not valid UTF-8")
            : ParseFields(text, out user, out item, out rating, out timestamp);
        if (problem is not { } rejected)
        {
            return true;
        }
        rejections.Add(line, text, rejected.Reason, rejected.Detail);
        return false;
    }

    private (string Reason, string Detail)? ParseFields(ReadOnlySpan<byte> text, out int user, out int item, out float rating, out long timestamp)
    {
        user = item = 0;
        rating = 0;
        timestamp = 0;
        Span<FieldRange> fields = stackalloc FieldRange[FieldCount];
        var fieldCount = FieldSplitter.Split(text, _separator, fields);
        if (fieldCount != FieldCount)
        {
            return (ProblemReasons.WrongFieldCount, text.IsEmpty
                ? "empty line; expected 4 fields"
                : $"expected 4 fields (userId, movieId, rating, timestamp), found {fieldCount}");
        }
        return ParseId(fields[0].Of(text), "userId", out user)
            ?? ParseId(fields[1].Of(text), "movieId", out item)
            ?? ParseRating(fields[2].Of(text), out rating)
            ?? ParseTimestamp(fields[3].Of(text), out timestamp);
    }

    internal static (string Reason, string Detail)? ParseId(ReadOnlySpan<byte> field, string name, out int id)
    {
        id = 0;
        var parse = AsciiNumbers.ParseInteger(field, out var value);
        if (parse == NumberParse.NotANumber)
        {
            return (ProblemReasons.NonNumericField, $"{name} '{Ascii(field)}' is not an integer");
        }
        if (parse == NumberParse.TooLarge || value > int.MaxValue)
        {
            return (ProblemReasons.IdOutOfRange, $"{name} {Ascii(field)} exceeds {int.MaxValue}");
        }
        if (value <= 0)
        {
            return (ProblemReasons.NonPositiveId, $"{name} {value} is not positive");
        }
        id = (int)value;
        return null;
    }

    private (string Reason, string Detail)? ParseRating(ReadOnlySpan<byte> field, out float rating)
    {
        rating = 0;
        var outside = (ProblemReasons.RatingOutsideScale, $"rating {Ascii(field)} is not on the {_format.Name} scale {_format.Scale}");
        return AsciiNumbers.ParseThousandths(field, out var thousandths) switch
        {
            NumberParse.NotANumber => (ProblemReasons.NonNumericField, $"rating '{Ascii(field)}' is not a number"),
            NumberParse.TooLarge => outside,
            _ when (ulong)thousandths >= (ulong)_ratingByThousandths.Length => outside,
            _ when float.IsNaN(rating = _ratingByThousandths[thousandths]) => outside,
            _ => null,
        };
    }

    internal static (string Reason, string Detail)? ParseTimestamp(ReadOnlySpan<byte> field, out long timestamp) =>
        AsciiNumbers.ParseInteger(field, out timestamp) == NumberParse.Ok
            ? null
            : (ProblemReasons.TimestampNotInteger, $"timestamp '{Ascii(field)}' is not an integer");

    internal static string Ascii(ReadOnlySpan<byte> field) => Encoding.Latin1.GetString(field);

    /// <summary>Rating by value in thousandths; NaN where the value is off the scale.</summary>
    private static float[] BuildRatingTable(RatingScale scale)
    {
        var min = (int)MathF.Round(scale.Min * 1000);
        var max = (int)MathF.Round(scale.Max * 1000);
        var step = (int)MathF.Round(scale.Step * 1000);
        var table = new float[max + 1];
        Array.Fill(table, float.NaN);
        for (var thousandths = min; thousandths <= max; thousandths += step)
        {
            table[thousandths] = thousandths / 1000f;
        }
        return table;
    }

    private static RawRatings Concatenate(List<ParsedBlock> blocks)
    {
        var total = blocks.Sum(block => block.Count);
        // One column at a time, dropping each block's segment once copied, so the peak stays near one extra column.
        var users = GC.AllocateUninitializedArray<int>(total);
        Copy(blocks, users, block => block.Users!, block => block.Users = null);
        var items = GC.AllocateUninitializedArray<int>(total);
        Copy(blocks, items, block => block.Items!, block => block.Items = null);
        var ratings = GC.AllocateUninitializedArray<float>(total);
        Copy(blocks, ratings, block => block.Ratings!, block => block.Ratings = null);
        var timestamps = GC.AllocateUninitializedArray<long>(total);
        Copy(blocks, timestamps, block => block.Timestamps!, block => block.Timestamps = null);
        return new RawRatings(users, items, ratings, timestamps);
    }

    private static void Copy<T>(List<ParsedBlock> blocks, T[] target, Func<ParsedBlock, T[]> column, Action<ParsedBlock> release)
    {
        var offset = 0;
        foreach (var block in blocks)
        {
            column(block).AsSpan(0, block.Count).CopyTo(target.AsSpan(offset));
            offset += block.Count;
            release(block);
        }
    }

    private sealed class ParsedBlock(byte[] buffer, int capacity, RowRejections rejections)
    {
        private byte[]? _buffer = buffer;

        public int[]? Users { get; set; } = GC.AllocateUninitializedArray<int>(capacity);
        public int[]? Items { get; set; } = GC.AllocateUninitializedArray<int>(capacity);
        public float[]? Ratings { get; set; } = GC.AllocateUninitializedArray<float>(capacity);
        public long[]? Timestamps { get; set; } = GC.AllocateUninitializedArray<long>(capacity);
        public int Count { get; set; }

        /// <summary>Lines in the block, good and bad.</summary>
        public int Lines { get; set; }

        public RowRejections Rejections { get; } = rejections;

        public byte[] ReleaseBuffer()
        {
            var released = _buffer!;
            _buffer = null;
            return released;
        }
    }
}
