using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace Recommender.Model.Data.Parsing;

/// <summary>The ratings file's four columns with raw (file) ids, exactly as many elements as rows kept.</summary>
internal sealed record RawRatings(int[] Users, int[] Items, float[] Ratings, long[] Timestamps);

/// <summary>A field separator the fast path can test for; the byte after a block's end is always '\n'.</summary>
internal unsafe interface IFieldSeparator
{
    static abstract int Length { get; }
    static abstract bool IsAt(byte* position);
}

internal readonly unsafe struct CommaSeparator : IFieldSeparator
{
    public static int Length => 1;
    public static bool IsAt(byte* position) => *position == (byte)',';
}

internal readonly unsafe struct TabSeparator : IFieldSeparator
{
    public static int Length => 1;
    public static bool IsAt(byte* position) => *position == (byte)'\t';
}

internal readonly unsafe struct DoubleColonSeparator : IFieldSeparator
{
    public static int Length => 2;

    // The second byte is only read when the first is ':', which is never the sentinel, so it is inside the buffer.
    public static bool IsAt(byte* position) => *position == (byte)':' && position[1] == (byte)':';
}

/// <summary>
/// Parses a ratings file (ratings.csv, u.data, ratings.dat) from a stream at byte level. The calling thread reads
/// blocks that end at a line boundary and hashes them; worker threads parse blocks into column segments (no strings
/// per row) that are concatenated into exact-length columns at the end. Rows the fast path cannot take are re-read by
/// a strict parser that either accepts them or names the reason.
/// </summary>
internal sealed unsafe class RatingsFileParser
{
    private const int FieldCount = 4;

    /// <summary>Room after each block for a '\n' that ends the fast path's loops without bounds checks.</summary>
    private const int Sentinel = 1;

    private static ReadOnlySpan<ulong> FractionScale => [0, 100, 10, 1];

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
        var buffer = new byte[_blockSize + Sentinel];
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
            while (filled < buffer.Length - Sentinel)
            {
                var read = stream.Read(buffer, filled, buffer.Length - Sentinel - filled);
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
                    Array.Resize(ref buffer, 2 * buffer.Length);
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
            // The leftover now lives in the next buffer, so the byte after the block is free for the sentinel.
            buffer[blockEnd] = (byte)'\n';
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
        var needed = Math.Max(_blockSize, 2 * leftover) + Sentinel;
        while (spareBuffers.TryPop(out var spare))
        {
            if (spare.Length >= needed)
            {
                return spare;
            }
        }
        return new byte[needed];
    }

    // Hot loop: compiled fully optimised at once rather than starting as tier-0 code, since a load runs it only once.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ParsedBlock ParseBlock<TSeparator>(byte[] buffer, int start, int end) where TSeparator : struct, IFieldSeparator
    {
        ReadOnlySpan<byte> data = buffer.AsSpan(start, end - start);
        var block = new ParsedBlock(buffer, capacity: data.Count((byte)'\n') + 1, new RowRejections(_file, _format.TextEncoding, _maxListed));
        var users = block.Users!;
        var items = block.Items!;
        var ratings = block.Ratings!;
        var timestamps = block.Timestamps!;
        var count = 0;
        var line = 0;
        fixed (byte* blockStart = data)
        fixed (float* ratingTable = _ratingByThousandths)
        {
            var blockEnd = blockStart + data.Length;
            var ratingLimit = (ulong)_ratingByThousandths.Length;
            var cursor = blockStart;
            while (cursor < blockEnd)
            {
                line++;
                if (!TryParseRowFast<TSeparator>(ref cursor, ratingTable, ratingLimit, out var user, out var item, out var rating, out var timestamp))
                {
                    var accepted = TryParseRowStrict(data, (int)(cursor - blockStart), line, block.Rejections, out var nextLine,
                        out user, out item, out rating, out timestamp);
                    cursor = blockStart + nextLine;
                    if (!accepted)
                    {
                        continue;
                    }
                }
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
    /// Returns false without judging anything else; the strict parser then decides. Relies on the '\n' sentinel
    /// after the block: every digit loop stops there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParseRowFast<TSeparator>(ref byte* cursor, float* ratingTable, ulong ratingLimit,
        out int user, out int item, out float rating, out long timestamp) where TSeparator : struct, IFieldSeparator
    {
        user = item = 0;
        rating = 0;
        timestamp = 0;
        var p = cursor;
        var digits = ReadDigits(ref p, out var userValue);
        if ((ulong)(digits - 1) > 8 || userValue == 0 || !TSeparator.IsAt(p))
        {
            return false;
        }
        p += TSeparator.Length;
        digits = ReadDigits(ref p, out var itemValue);
        if ((ulong)(digits - 1) > 8 || itemValue == 0 || !TSeparator.IsAt(p))
        {
            return false;
        }
        p += TSeparator.Length;
        digits = ReadDigits(ref p, out var thousandths);
        if ((ulong)(digits - 1) > 2)
        {
            return false;
        }
        thousandths *= 1000;
        if (*p == (byte)'.')
        {
            p++;
            digits = ReadDigits(ref p, out var fraction);
            if ((ulong)(digits - 1) > 2)
            {
                return false;
            }
            thousandths += fraction * FractionScale[(int)digits];
        }
        if (thousandths >= ratingLimit || float.IsNaN(rating = ratingTable[thousandths]) || !TSeparator.IsAt(p))
        {
            return false;
        }
        p += TSeparator.Length;
        digits = ReadDigits(ref p, out var timestampValue);
        if ((ulong)(digits - 1) > 17)
        {
            return false;
        }
        // '\n' (possibly the sentinel after a last line without one), or "\r\n".
        if (*p == (byte)'\r')
        {
            p++;
        }
        if (*p != (byte)'\n')
        {
            return false;
        }
        user = (int)userValue;
        item = (int)itemValue;
        timestamp = (long)timestampValue;
        cursor = p + 1;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long ReadDigits(ref byte* position, out ulong value)
    {
        var start = position;
        ulong result = 0;
        uint digit;
        while ((digit = (uint)(*position - '0')) <= 9)
        {
            result = result * 10 + digit;
            position++;
        }
        value = result;
        return position - start;
    }

    /// <summary>Parses the line at <paramref name="lineStart"/> field by field, or records why it is rejected.</summary>
    private bool TryParseRowStrict(ReadOnlySpan<byte> data, int lineStart, int line, RowRejections rejections, out int nextLine,
        out int user, out int item, out float rating, out long timestamp)
    {
        user = item = 0;
        rating = 0;
        timestamp = 0;
        var newline = data[lineStart..].IndexOf((byte)'\n');
        var lineEnd = newline < 0 ? data.Length : lineStart + newline;
        nextLine = newline < 0 ? data.Length : lineEnd + 1;
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
