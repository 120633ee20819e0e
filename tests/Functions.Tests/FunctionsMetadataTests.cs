using System.Text.Json;
using Recommender.Functions.Retraining;
using Recommender.Training.Retraining;

namespace Recommender.Functions.Tests;

/// <summary>The functions.metadata the Worker SDK generates at build: what the Functions host will index.</summary>
public class FunctionsMetadataTests
{
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

    /// <summary>The app's build output of the same configuration as these tests (bin/CONFIG/TFM of src/Functions).</summary>
    private static string MetadataPath()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var path = Path.Combine(TestPaths.RepositoryRoot, "src", "Functions", "bin", configuration, framework, "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: the Worker SDK writes it when src/Functions is built ({configuration}).");
        return path;
    }
}
