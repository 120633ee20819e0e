namespace Recommender.Model.Data.Parsing;

internal enum NumberParse
{
    Ok,
    NotANumber,
    TooLarge,
}

/// <summary>Strict parsing of numbers straight from ASCII bytes: no whitespace, no '+', no exponent.</summary>
internal static class AsciiNumbers
{
    private const int MaxLongDigits = 18;

    /// <summary>An optional '-' and 1..18 digits.</summary>
    public static NumberParse ParseInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        var negative = text.Length > 0 && text[0] == (byte)'-';
        var digits = negative ? text[1..] : text;
        if (digits.Length == 0)
        {
            return NumberParse.NotANumber;
        }
        foreach (var character in digits)
        {
            var digit = (uint)(character - '0');
            if (digit > 9)
            {
                return NumberParse.NotANumber;
            }
        }
        var significant = digits.TrimStart((byte)'0');
        if (significant.Length > MaxLongDigits)
        {
            return NumberParse.TooLarge;
        }
        foreach (var character in significant)
        {
            value = value * 10 + (character - '0');
        }
        if (negative)
        {
            value = -value;
        }
        return NumberParse.Ok;
    }

    /// <summary>
    /// An optional '-', digits, and optionally '.' followed by digits, as thousandths. Values with
    /// non-zero digits beyond the third decimal or over a million are <see cref="NumberParse.TooLarge"/>:
    /// no rating scale holds them.
    /// </summary>
    public static NumberParse ParseThousandths(ReadOnlySpan<byte> text, out long thousandths)
    {
        thousandths = 0;
        var negative = text.Length > 0 && text[0] == (byte)'-';
        var number = negative ? text[1..] : text;
        var point = number.IndexOf((byte)'.');
        var whole = point < 0 ? number : number[..point];
        var fraction = point < 0 ? [] : number[(point + 1)..];
        if (whole.Length == 0 || (point >= 0 && fraction.Length == 0) || !AllDigits(whole) || !AllDigits(fraction))
        {
            return NumberParse.NotANumber;
        }
        whole = whole.TrimStart((byte)'0');
        if (whole.Length > 6 || fraction.Length > 3 && fraction[3..].ContainsAnyExcept((byte)'0'))
        {
            return NumberParse.TooLarge;
        }
        foreach (var character in whole)
        {
            thousandths = thousandths * 10 + (character - '0');
        }
        for (var position = 0; position < 3; position++)
        {
            thousandths = thousandths * 10 + (position < fraction.Length ? fraction[position] - '0' : 0);
        }
        if (negative)
        {
            thousandths = -thousandths;
        }
        return NumberParse.Ok;
    }

    private static bool AllDigits(ReadOnlySpan<byte> text) => !text.ContainsAnyExceptInRange((byte)'0', (byte)'9');
}
