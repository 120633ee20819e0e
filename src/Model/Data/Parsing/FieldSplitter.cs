namespace Recommender.Model.Data.Parsing;

/// <summary>Where one field sits in a line; quoted fields exclude their quotes and may hold doubled quotes.</summary>
internal readonly record struct FieldRange(int Start, int Length, bool Quoted)
{
    public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> line) => line.Slice(Start, Length);
}

internal static class FieldSplitter
{
    public const int MalformedQuoting = -1;

    /// <summary>
    /// Splits an RFC 4180 CSV line. Returns the number of fields (storing at most <paramref name="fields"/>.Length),
    /// or <see cref="MalformedQuoting"/> for an unterminated quote, text after a closing quote, or a quote inside an
    /// unquoted field.
    /// </summary>
    public static int SplitCsv(ReadOnlySpan<byte> line, Span<FieldRange> fields)
    {
        var count = 0;
        var position = 0;
        while (true)
        {
            FieldRange field;
            if (position < line.Length && line[position] == (byte)'"')
            {
                var contentStart = position + 1;
                position = contentStart;
                while (true)
                {
                    var quote = line[position..].IndexOf((byte)'"');
                    if (quote < 0)
                    {
                        return MalformedQuoting;
                    }
                    position += quote + 1;
                    if (position < line.Length && line[position] == (byte)'"')
                    {
                        position++;
                        continue;
                    }
                    break;
                }
                field = new FieldRange(contentStart, position - 1 - contentStart, Quoted: true);
                if (position < line.Length && line[position] != (byte)',')
                {
                    return MalformedQuoting;
                }
            }
            else
            {
                var comma = line[position..].IndexOf((byte)',');
                var end = comma < 0 ? line.Length : position + comma;
                if (line[position..end].Contains((byte)'"'))
                {
                    return MalformedQuoting;
                }
                field = new FieldRange(position, end - position, Quoted: false);
                position = end;
            }
            if (count < fields.Length)
            {
                fields[count] = field;
            }
            count++;
            if (position >= line.Length)
            {
                return count;
            }
            position++;
        }
    }

    /// <summary>Splits on a separator with no quoting (the '|', '\t' and '::' formats).</summary>
    public static int Split(ReadOnlySpan<byte> line, ReadOnlySpan<byte> separator, Span<FieldRange> fields)
    {
        var count = 0;
        var position = 0;
        while (true)
        {
            var next = line[position..].IndexOf(separator);
            var end = next < 0 ? line.Length : position + next;
            if (count < fields.Length)
            {
                fields[count] = new FieldRange(position, end - position, Quoted: false);
            }
            count++;
            if (next < 0)
            {
                return count;
            }
            position = end + separator.Length;
        }
    }
}
