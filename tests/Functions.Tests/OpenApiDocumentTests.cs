using System.Text.Json.Nodes;
using Microsoft.Azure.Functions.Worker;
using Recommender.Functions.Api;

namespace Recommender.Functions.Tests;

/// <summary>
/// docs/openapi.json is the document GET /api/openapi.json serves, committed: reviewed in diffs, linted by .ci/run
/// (redocly) and compiled into the integration tests' client.
/// </summary>
public class OpenApiDocumentTests
{
    private static IReadOnlyList<HttpFunction> Functions => FunctionCatalog.HttpFunctions(FunctionCatalog.FunctionAppAssembly);

    [Fact]
    public void CommittedDocument_IsTheOneTheFunctionsBuild()
    {
        var built = OpenApiDocument.BuildText(Functions, HttpRoutePrefix.Read(TestPaths.RepositoryRoot)).ReplaceLineEndings("\n") + "\n";
        var committedPath = Path.Combine(TestPaths.RepositoryRoot, "docs", "openapi.json");
        var committed = File.Exists(committedPath) ? File.ReadAllText(committedPath).ReplaceLineEndings("\n") : "";

        if (committed != built)
        {
            var builtPath = Path.Combine(TestPaths.RepositoryRoot, "artifacts", "openapi.json");
            Directory.CreateDirectory(Path.GetDirectoryName(builtPath)!);
            File.WriteAllText(builtPath, built);
            Assert.Fail($"docs/openapi.json is not the document the functions build. The built one is {builtPath}: review the difference and copy it over docs/openapi.json.");
        }
    }

    [Fact]
    public void EveryOperationThatNeedsAKey_Documents401_AndTheAnonymousOnesDoNot()
    {
        var paths = OpenApiDocument.Build(Functions, "api")["paths"]!.AsObject();

        foreach (var function in Functions)
        {
            var operation = paths["/api/" + function.Route]![function.Methods.Single().ToLowerInvariant()]!;
            var documents401 = operation["responses"]!.AsObject().ContainsKey("401");
            var security = operation["security"]!.AsArray();

            Assert.True(documents401 == (function.AuthLevel != AuthorizationLevel.Anonymous), $"{function.Name} ({function.AuthLevel}): 401 documented: {documents401}");
            Assert.Equal(documents401, security.Count > 0);
        }
    }

    [Fact]
    public void ObjectSchemas_AreNamedComponents_EachOneReferenced()
    {
        var document = OpenApiDocument.Build(Functions, "api");
        var schemas = document["components"]!["schemas"]!.AsObject();

        var references = Descendants(document).OfType<JsonObject>()
            .Where(node => node.ContainsKey("$ref")).Select(node => node["$ref"]!.GetValue<string>()).ToHashSet();
        Assert.Equal(schemas.Select(pair => "#/components/schemas/" + pair.Key).Order(StringComparer.Ordinal), references.Order(StringComparer.Ordinal));
        var inline = Descendants(document["paths"]!).Concat(schemas.SelectMany(pair => Descendants(pair.Value!).Skip(1)))
            .OfType<JsonObject>().Where(node => node.ContainsKey("properties"));
        Assert.Empty(inline);
        Assert.Contains("RecommendedMovie", schemas.Select(pair => pair.Key));
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node) =>
        node switch
        {
            JsonObject values => values.Select(pair => pair.Value).OfType<JsonNode>().SelectMany(Descendants).Prepend(node),
            JsonArray items => items.OfType<JsonNode>().SelectMany(Descendants).Prepend(node),
            _ => [node],
        };
}
