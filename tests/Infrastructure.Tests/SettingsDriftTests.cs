using System.Text.Json;
using System.Text.Json.Nodes;
using Recommender.Model.Storage;
using Recommender.Model.Retraining;

namespace Recommender.Infrastructure.Tests;

/// <summary>
/// The settings the code reads, local.settings.sample.json and the settings the Bicep gives the Function App and the
/// training job must agree, up to the documented differences in <see cref="AzureSettingNames"/>.
/// </summary>
[Collection(InfraBuildCollection.Name)]
public class SettingsDriftTests(InfraBuildFixture infra)
{
    private const string FunctionAppModule = "function-app";
    private const string TrainingJobModule = "training-job";

    [Fact]
    public void SampleListsTheCodeSettingsAndTheHostOnes()
    {
        var expected = AzureSettingNames.ReadByCode.Union(AzureSettingNames.HostAndSdk);
        AssertSameNames(expected, Sample().Keys, "local.settings.sample.json", "the names classes plus the host settings");
    }

    [Fact]
    public void FunctionAppSetsEverySampleSettingForAzure()
    {
        var expected = Sample().Keys.Except(AzureSettingNames.LocalOnly.Keys).Except(AzureSettingNames.JobOnly.Keys).Union(AzureSettingNames.AzureOnlyAppSettings);
        AssertSameNames(expected, AppSettings().Keys, "the Function App's app settings (infra/modules/function-app.bicep)", "the sample mapped to Azure");
    }

    [Fact]
    public void TrainingJobSetsTheSettingsTheRetrainCommandReads()
    {
        var expected = Sample().Keys.Except(AzureSettingNames.LocalOnly.Keys).Except(AzureSettingNames.AppOnly.Keys);
        AssertSameNames(expected, JobEnvironment().Keys, "the training job's env (infra/modules/training-job.bicep)", "the sample less the app-only settings");
    }

    [Fact]
    public void FunctionAppRunsDotnetIsolated10OnFlexConsumption()
    {
        var plan = infra.Main.Resource(FunctionAppModule, "Microsoft.Web/serverfarms");
        Assert.Equal("FlexConsumption", (string?)plan["sku"]?["tier"]);
        var runtime = infra.Main.Resource(FunctionAppModule, "Microsoft.Web/sites")["properties"]?["functionAppConfig"]?["runtime"];
        Assert.Equal("dotnet-isolated", (string?)runtime?["name"]);
        Assert.Equal("10.0", (string?)runtime?["version"]);
    }

    [Fact]
    public void StorageIsReachedThroughTheBlobEndpointAndTheIdentities()
    {
        var app = AppSettings();
        var job = JobEnvironment();
        foreach (var (module, settings) in new[] { (FunctionAppModule, app), (TrainingJobModule, job) })
        {
            var accountUrl = infra.Main.Trace(module, settings[StorageSettingNames.AccountUrl]);
            Assert.Contains("'Microsoft.Storage/storageAccounts'", accountUrl);
            Assert.EndsWith(".primaryEndpoints.blob]", accountUrl);
            var tableUrl = infra.Main.Trace(module, settings[StorageSettingNames.TableAccountUrl]);
            Assert.Contains("'Microsoft.Storage/storageAccounts'", tableUrl);
            Assert.EndsWith(".primaryEndpoints.table]", tableUrl);
        }
        var appClientId = infra.Main.Trace(FunctionAppModule, app["AZURE_CLIENT_ID"]);
        Assert.Contains("'Microsoft.ManagedIdentity/userAssignedIdentities', parameters('appIdentityName')", appClientId);
        Assert.EndsWith(".clientId]", appClientId);
        Assert.Equal(appClientId, infra.Main.Trace(FunctionAppModule, app["AzureWebJobsStorage__clientId"]));
        Assert.Equal("managedidentity", app["AzureWebJobsStorage__credential"]);

        var jobClientId = infra.Main.Trace(TrainingJobModule, job["AZURE_CLIENT_ID"]);
        Assert.Contains("'Microsoft.ManagedIdentity/userAssignedIdentities', parameters('trainingIdentityName')", jobClientId);
        Assert.EndsWith(".clientId]", jobClientId);
    }

    [Fact]
    public void AppStartsTheJob()
    {
        var app = AppSettings();
        Assert.Equal("container-apps-job", app[RetrainSettingNames.Mode]);
        Assert.Contains("resourceId('Microsoft.App/jobs'", infra.Main.Trace(FunctionAppModule, app[RetrainSettingNames.JobResourceId]));
        Assert.Equal("[environment().resourceManager]", app[RetrainSettingNames.ArmEndpoint]);
    }

    [Theory]
    [InlineData(StorageSettingNames.DataContainer)]
    [InlineData(StorageSettingNames.DataPrefix)]
    [InlineData(StorageSettingNames.ModelsContainer)]
    [InlineData(StorageSettingNames.RunsContainer)]
    [InlineData(StorageSettingNames.EventsTable)]
    public void AppAndJobUseTheSampleStorageLayout(string setting)
    {
        var local = Sample()[setting];
        Assert.Equal(local, infra.Main.Trace(FunctionAppModule, AppSettings()[setting]));
        Assert.Equal(local, infra.Main.Trace(TrainingJobModule, JobEnvironment()[setting]));
    }

    [Fact]
    public void NoSettingCarriesAStorageKey()
    {
        var values = AppSettings().Select(pair => (FunctionAppModule, pair))
            .Concat(JobEnvironment().Select(pair => (TrainingJobModule, pair)));
        foreach (var (module, (name, value)) in values)
        {
            var source = infra.Main.Trace(module, value);
            Assert.False(source.Contains("listKeys", StringComparison.OrdinalIgnoreCase) || source.Contains("AccountKey", StringComparison.OrdinalIgnoreCase),
                $"{module} setting {name} is made from a key: {source}");
        }
    }

    private static Dictionary<string, string> Sample()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.LocalSettingsSample));
        return sample.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(setting => setting.Name, setting => setting.Value.GetString() ?? "", StringComparer.Ordinal);
    }

    private Dictionary<string, string> AppSettings() =>
        NameValues(infra.Main.Resource(FunctionAppModule, "Microsoft.Web/sites")["properties"]?["siteConfig"]?["appSettings"], "Function App appSettings");

    [Fact]
    public void TheTrainingJobRetriesAFailedReplica_WhichResumesFromTheRunsCheckpoint()
    {
        var configuration = infra.Main.Resource(TrainingJobModule, "Microsoft.App/jobs")["properties"]?["configuration"];
        var limit = infra.Main.Trace(TrainingJobModule, (string)configuration?["replicaRetryLimit"]!);
        Assert.Equal("[parameters('trainingRetryLimit')]", limit);
        Assert.Equal(2, (int?)infra.Main.ParameterDefault("trainingRetryLimit"));
    }

    private Dictionary<string, string> JobEnvironment()
    {
        var containers = infra.Main.Resource(TrainingJobModule, "Microsoft.App/jobs")["properties"]?["template"]?["containers"]?.AsArray();
        Assert.True(containers is { Count: 1 }, "the training job should have exactly one container");
        return NameValues(containers[0]?["env"], "training job env");
    }

    /// <summary>A literal [{ name, value }] array as a dictionary; an expression in place of the array fails.</summary>
    private static Dictionary<string, string> NameValues(JsonNode? array, string what)
    {
        if (array is not JsonArray entries)
        {
            throw new InvalidOperationException($"{what} must be a literal array of {{ name, value }} so its names can be checked, not {array?.ToJsonString()}");
        }
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var name = (string?)entry?["name"] ?? throw new InvalidOperationException($"{what}: an entry without a literal name: {entry?.ToJsonString()}");
            Assert.True(settings.TryAdd(name, (string?)entry?["value"] ?? ""), $"{what} sets {name} twice");
        }
        return settings;
    }

    private static void AssertSameNames(IEnumerable<string> expected, IEnumerable<string> actual, string actualWhat, string expectedWhat)
    {
        var expectedSet = expected.ToHashSet(StringComparer.Ordinal);
        var actualSet = actual.ToHashSet(StringComparer.Ordinal);
        var missing = expectedSet.Except(actualSet).Order().ToList();
        var extra = actualSet.Except(expectedSet).Order().ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"{actualWhat} differ from {expectedWhat}. Missing: [{string.Join(", ", missing)}]. Not expected: [{string.Join(", ", extra)}]. " +
            "Add a new setting to its names class, local.settings.sample.json and the Bicep, or document the difference in AzureSettingNames.");
    }
}
