namespace Recommender.Model.Data;

/// <summary>Splits MovieLens titles such as "Toy Story (1995)" into the title and the release year.</summary>
public static class MovieTitle
{
    /// <summary>
    /// A trailing "(YYYY)" (or a series range "(YYYY–YYYY)" / "(YYYY-)") is the year; earlier parentheses stay in
    /// the title ("Seven (a.k.a. Se7en) (1995)" → "Seven (a.k.a. Se7en)", 1995). Surrounding spaces are trimmed.
    /// A title without a trailing year is returned whole with a null year.
    /// </summary>
    public static (string Title, int? Year) SplitYear(string rawTitle)
    {
        var title = rawTitle.Trim();
        if (!title.EndsWith(')'))
        {
            return (title, null);
        }
        var open = title.LastIndexOf('(');
        if (open < 0 || !TryParseYear(title.AsSpan(open + 1, title.Length - open - 2), out var year))
        {
            return (title, null);
        }
        var name = title[..open].TrimEnd();
        return name.Length == 0 ? (title, year) : (name, year);
    }

    private static bool TryParseYear(ReadOnlySpan<char> inner, out int year)
    {
        year = 0;
        if (inner.Length < 4 || !IsDigits(inner[..4]))
        {
            return false;
        }
        var rest = inner[4..].Trim();
        // "(2006–2007)", "(2006-2007)" or an open "(2006– )" series range: the first year is the start.
        if (rest.Length > 0 && !((rest[0] is '-' or '–') && (rest.Length == 1 || IsDigits(rest[1..].Trim()) && rest[1..].Trim().Length == 4)))
        {
            return false;
        }
        year = int.Parse(inner[..4], System.Globalization.CultureInfo.InvariantCulture);
        return true;
    }

    private static bool IsDigits(ReadOnlySpan<char> text) => !text.IsEmpty && !text.ContainsAnyExceptInRange('0', '9');
}
