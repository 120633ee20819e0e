using System.Text.Json;
using Recommender.Functions;
using Recommender.Functions.Retraining;
using Recommender.Model.Retraining;

namespace Recommender.Functions.Tests;

/// <summary>The functions.metadata the Worker SDK generates at build: what the Functions host will serve.</summary>
public class FunctionsMetadataTests
{
    public static TheoryData<string, string, string, string> Routes => new()
    {
        { "UserRecommendations", "users/{userId}/recommendations", "get", "Function" },
        { "SessionRecommendations", "recommendations", "post", "Function" },
        { "SimilarMovies", "movies/{movieId}/similar", "get", "Function" },
        { "ModelInfo", "model", "get", "Function" },
        { "Health", "health", "get", "Anonymous" },
        { "OpenApi", "openapi.json", "get", "Function" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public void ApiRoute_HasItsMethodAndAuthLevel(string name, string route, string method, string authLevel)
    {
        var trigger = HttpTriggers()[name];

        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal([method], trigger.GetProperty("methods").EnumerateArray().Select(value => value.GetString()!.ToLowerInvariant()));
        Assert.Equal(authLevel, trigger.GetProperty("authLevel").GetString());
    }

    [Fact]
    public void ReflectionCatalog_MatchesTheGeneratedMetadata()
    {
        var generated = HttpTriggers()
            .Select(pair => $"{pair.Key} {string.Join(",", pair.Value.GetProperty("methods").EnumerateArray().Select(value => value.GetString()!.ToUpperInvariant()))} {pair.Value.GetProperty("route").GetString()} {pair.Value.GetProperty("authLevel").GetString()}")
            .Order(StringComparer.Ordinal);
        var reflected = FunctionCatalog.HttpFunctions(FunctionCatalog.FunctionAppAssembly)
            .Select(function => $"{function.Name} {string.Join(",", function.Methods)} {function.Route} {function.AuthLevel}")
            .Order(StringComparer.Ordinal);

        Assert.Equal(generated, reflected);
    }

    [Fact]
    public void Retrain_IsATimerOnTheScheduleSetting()
    {
        var binding = Assert.Single(BindingsOf(Retrain.FunctionName));

        Assert.Equal("timerTrigger", binding.GetProperty("type").GetString());
        Assert.Equal("In", binding.GetProperty("direction").GetString());
        Assert.Equal("%" + RetrainSettingNames.Schedule + "%", binding.GetProperty("schedule").GetString());
        Assert.Equal("Recommender.Functions.Retraining.Retrain.RunAsync", FunctionOf(Retrain.FunctionName).GetProperty("entryPoint").GetString());
    }

    [Fact]
    public void RetrainNow_IsAnAdminPostOnTheRetrainRoute()
    {
        var trigger = Assert.Single(BindingsOf(RetrainNow.FunctionName), binding => binding.GetProperty("type").GetString() == "httpTrigger");

        Assert.Equal("Admin", trigger.GetProperty("authLevel").GetString());
        Assert.Equal(["post"], trigger.GetProperty("methods").EnumerateArray().Select(method => method.GetString()));
        Assert.Equal(RetrainNow.Route, trigger.GetProperty("route").GetString());
    }

    private static JsonElement FunctionOf(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(MetadataPath()));
        return Assert.Single(document.RootElement.EnumerateArray(), function => function.GetProperty("name").GetString() == name).Clone();
    }

    private static List<JsonElement> BindingsOf(string name) => [.. FunctionOf(name).GetProperty("bindings").EnumerateArray()];

    private static Dictionary<string, JsonElement> HttpTriggers()
    {
        var path = MetadataPath();
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray()
            .Select(function => (Name: function.GetProperty("name").GetString()!, Trigger: function.GetProperty("bindings").EnumerateArray()
                .FirstOrDefault(binding => binding.GetProperty("type").GetString() == "httpTrigger")))
            .Where(function => function.Trigger.ValueKind == JsonValueKind.Object)
            .ToDictionary(function => function.Name, function => function.Trigger.Clone());
    }

    /// <summary>src/Functions/bin/CONFIGURATION/TFM/functions.metadata, for the configuration this test was built in.</summary>
    private static string MetadataPath()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        var root = output;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Serverless.sln")))
        {
            root = root.Parent;
        }
        Assert.NotNull(root);
        var path = Path.Combine(root.FullName, "src", "Functions", "bin", configuration, framework, "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: build src/Functions in {configuration} first.");
        return path;
    }
}
