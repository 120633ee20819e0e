using System.Text.Json;

namespace Recommender.Functions;

/// <summary>host.json's extensions.http.routePrefix: the prefix of every HTTP function's route.</summary>
public static class HttpRoutePrefix
{
    /// <summary>The Functions host's default when host.json does not set one.</summary>
    public const string Default = "api";

    /// <summary>Reads the prefix (without slashes; empty for none) from host.json in <paramref name="folder"/>; the default when there is no setting.</summary>
    /// <exception cref="InvalidDataException">host.json exists but is not valid JSON, or the prefix is not a string (the message names the file).</exception>
    public static string Read(string folder)
    {
        var path = Path.Combine(folder, "host.json");
        if (!File.Exists(path))
        {
            return Default;
        }
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.TryGetProperty("extensions", out var extensions)
                && extensions.TryGetProperty("http", out var http)
                && http.TryGetProperty("routePrefix", out var prefix))
            {
                return prefix.ValueKind == JsonValueKind.String
                    ? prefix.GetString()!.Trim('/')
                    : throw new InvalidDataException($"{path}: extensions.http.routePrefix must be a string.");
            }
            return Default;
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {error.Message}", error);
        }
    }

    /// <summary>The route template as the host serves it: "prefix/route" (or "route" with no prefix).</summary>
    public static string Combine(string prefix, string route) =>
        prefix.Length == 0 ? route.TrimStart('/') : $"{prefix}/{route.TrimStart('/')}";
}
