using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Recommender.Model.Engine;

namespace Recommender.Functions.Api;

/// <summary>Checks of the API's inputs; each failure is the problem to answer with.</summary>
public static class ApiRequests
{
    public const int DefaultCount = 10;
    public const int MaxCount = 100;
    public const int MaxHistoryItems = 500;
    public const int MaxExcludedItems = 500;
    public const int MaxGenres = 32;
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>A positive whole number in decimal digits only (no sign, spaces or exponent).</summary>
    public static bool TryParseId(string? text, out int id) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;

    public static ProblemHttpResult? ReadId(string? text, string parameter, out int id) =>
        TryParseId(text, out id) ? null : ApiProblems.InvalidParameter(parameter, $"'{text}' is not a valid {parameter}: expected a positive whole number.");

    /// <summary>The <c>count</c> query parameter: 1 to 100, <see cref="DefaultCount"/> when absent.</summary>
    public static ProblemHttpResult? ReadCount(IQueryCollection query, out int count)
    {
        count = DefaultCount;
        if (SingleValue(query, "count", out var text) is { } problem)
        {
            return problem;
        }
        if (text is null)
        {
            return null;
        }
        return CheckCount(int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out count) ? count : null, text, out count);
    }

    public static ProblemHttpResult? CheckCount(int? value, string text, out int count)
    {
        count = value ?? 0;
        return value is >= 1 and <= MaxCount ? null : ApiProblems.InvalidParameter("count", $"count '{text}' must be a whole number from 1 to {MaxCount}.");
    }

    /// <summary>The <c>excludeSeen</c> query parameter: true or false (any case), true when absent.</summary>
    public static ProblemHttpResult? ReadExcludeSeen(IQueryCollection query, out bool excludeSeen)
    {
        excludeSeen = true;
        if (SingleValue(query, "excludeSeen", out var text) is { } problem)
        {
            return problem;
        }
        if (text is null)
        {
            return null;
        }
        return bool.TryParse(text, out excludeSeen) ? null : ApiProblems.InvalidParameter("excludeSeen", $"excludeSeen '{text}' must be true or false.");
    }

    /// <summary>The <c>genres</c> query parameter: comma-separated names (repeating the parameter adds more); null when absent.</summary>
    public static ProblemHttpResult? ReadGenres(IQueryCollection query, out IReadOnlyList<string>? genres)
    {
        genres = null;
        if (!query.TryGetValue("genres", out var values))
        {
            return null;
        }
        var names = values.SelectMany(value => (value ?? "").Split(',')).Select(name => name.Trim()).ToList();
        return CheckGenres(names, "genres", out genres);
    }

    public static ProblemHttpResult? CheckGenres(IReadOnlyList<string?> names, string parameter, out IReadOnlyList<string>? genres)
    {
        genres = null;
        if (names.Count > MaxGenres)
        {
            return ApiProblems.InvalidParameter(parameter, $"At most {MaxGenres} genres may be given, not {names.Count}.");
        }
        for (var position = 0; position < names.Count; position++)
        {
            if (string.IsNullOrWhiteSpace(names[position]))
            {
                return ApiProblems.InvalidParameter(parameter, $"Genre {position + 1} of {parameter} is empty.");
            }
        }
        genres = [.. names.Select(name => name!.Trim())];
        return null;
    }

    /// <summary>Genres the served catalogue does not have.</summary>
    public static ProblemHttpResult? CheckKnownGenres(RecommendationEngine engine, IReadOnlyList<string>? genres, string parameter)
    {
        var unknown = genres?.FirstOrDefault(genre => !engine.IsKnownGenre(genre));
        return unknown is null
            ? null
            : ApiProblems.InvalidParameter(parameter,
                $"Unknown genre '{unknown}'; the catalogue has: {string.Join(", ", engine.Genres.Order(StringComparer.Ordinal))}.");
    }

    /// <summary>
    /// Reads and checks the JSON body of POST /api/recommendations: application/json, at most
    /// <see cref="MaxBodyBytes"/> bytes, the <see cref="SessionRecommendationRequest"/> shape with no unknown fields.
    /// </summary>
    public static async Task<(SessionRecommendationRequest? Body, ProblemHttpResult? Problem)> ReadSessionBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadJsonBodyAsync<SessionRecommendationRequest>(request, "a JSON object with a \"history\" array", cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return (null, problem);
        }
        if (body.History is null)
        {
            return (null, ApiProblems.InvalidBody("\"history\" must be an array of movie ids.", "history"));
        }
        if (body.History.Count > MaxHistoryItems)
        {
            return (null, ApiProblems.InvalidBody($"\"history\" has {body.History.Count} items; at most {MaxHistoryItems} are accepted.", "history"));
        }
        if (body.Exclude is { Count: > MaxExcludedItems })
        {
            return (null, ApiProblems.InvalidBody($"\"exclude\" has {body.Exclude.Count} items; at most {MaxExcludedItems} are accepted.", "exclude"));
        }
        for (var position = 0; position < body.History.Count; position++)
        {
            if (body.History[position] <= 0)
            {
                return (null, ApiProblems.InvalidBody($"history[{position}] is {body.History[position]}; movie ids are positive whole numbers.", $"history[{position}]"));
            }
        }
        if (body.Count is { } count && CheckCount(count, count.ToString(CultureInfo.InvariantCulture), out _) is { } countProblem)
        {
            return (null, countProblem);
        }
        if (body.Genres is not null && CheckGenres(body.Genres, "genres", out _) is { } genresProblem)
        {
            return (null, genresProblem);
        }
        return (body, null);
    }

    /// <summary>
    /// Reads a JSON request body of type <typeparamref name="T"/>: application/json (UTF-8), at most <see cref="MaxBodyBytes"/>
    /// bytes, no unknown fields; <paramref name="expected"/> describes the shape in the messages.
    /// </summary>
    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadJsonBodyAsync<T>(HttpRequest request, string expected, CancellationToken cancellationToken)
        where T : class
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            return (null, ApiProblems.UnsupportedMediaType(request.ContentType));
        }
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, ApiProblems.PayloadTooLarge(MaxBodyBytes));
        }
        var (bytes, tooLarge) = await ReadLimitedAsync(request.Body, MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (tooLarge)
        {
            return (null, ApiProblems.PayloadTooLarge(MaxBodyBytes));
        }
        if (bytes.Length == 0)
        {
            return (null, ApiProblems.InvalidBody($"The request body is empty; expected {expected}."));
        }
        T? body;
        try
        {
            body = JsonSerializer.Deserialize<T>(bytes, ApiJson.RequestOptions);
        }
        catch (JsonException error)
        {
            var location = error.Path is null ? "" : $" at {error.Path}";
            var line = error.LineNumber is { } number ? $" (line {number + 1}, byte {error.BytePositionInLine + 1})" : "";
            return (null, ApiProblems.InvalidBody($"The request body is not a valid request{location}{line}: {FirstSentence(error.Message)}", error.Path));
        }
        return body is null ? (null, ApiProblems.InvalidBody($"The request body is null; expected {expected}.")) : (body, null);
    }

    private static ProblemHttpResult? SingleValue(IQueryCollection query, string name, out string? value)
    {
        value = null;
        if (!query.TryGetValue(name, out var values))
        {
            return null;
        }
        if (values.Count != 1)
        {
            return ApiProblems.InvalidParameter(name, $"{name} must be given once, not {values.Count} times.");
        }
        value = values[0];
        return null;
    }

    private static async Task<(byte[] Bytes, bool TooLarge)> ReadLimitedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return ([], true);
            }
            buffer.Write(chunk, 0, read);
        }
        return (buffer.ToArray(), false);
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
