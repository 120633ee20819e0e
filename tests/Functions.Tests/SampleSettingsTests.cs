using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Recommender.Model;
using Recommender.Functions.Retraining;
using Recommender.Model.Retraining;
using Recommender.Model.Serving;
using Recommender.Model.Storage;

namespace Recommender.Functions.Tests;

/// <summary>local.settings.sample.json lists every setting the code reads, and the app's registrations accept it.</summary>
public class SampleSettingsTests
{
    private static readonly string[] HostSettings = ["AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME", "AZURE_CLIENT_ID"];

    [Fact]
    public void EverySettingTheCodeReads_IsInTheSample()
    {
        var sample = SampleValues();
        var missing = StorageSettingNames.All.Concat(RetrainSettingNames.All).Concat(ServingSettingNames.All).Concat(HostSettings)
            .Where(name => !sample.ContainsKey(name))
            .ToList();

        Assert.True(missing.Count == 0, "Missing from local.settings.sample.json: " + string.Join(", ", missing));
    }

    [Fact]
    public void TheSample_ScheduleIsDailyAt3Utc_AndRetrainingRunsTheCliAsAChildProcess_WhichTheHostNames()
    {
        var sample = SampleValues();

        Assert.Equal("0 0 3 * * *", sample[RetrainSettingNames.Schedule]);
        Assert.Equal(RetrainLaunchOptions.ProcessModeName, sample[RetrainSettingNames.Mode]);
        // Blank: the local host fills in the CLI built beside it; without one, the error names the setting.
        var error = Assert.Throws<SettingException>(() => RetrainLaunchOptions.FromSettings(name => sample.GetValueOrDefault(name)));
        Assert.Equal(RetrainSettingNames.Cli, error.Setting);
    }

    [Fact]
    public void TheRegistrations_ParseEverySampleSetting()
    {
        using var provider = Services(SampleWithCli()).BuildServiceProvider();

        var storage = provider.GetRequiredService<StorageOptions>();
        Assert.Equal(
            ("UseDevelopmentStorage=true", null, "data", "movielens/", "models", "runs", 5),
            (storage.ConnectionString, storage.AccountUrl, storage.DataContainer, storage.DataPrefix, storage.ModelsContainer, storage.RunsContainer, storage.ModelRetentionCount));
        var retrain = provider.GetRequiredService<RetrainLaunchOptions>();
        Assert.Equal(
            (RetrainMode.Process, CliPath, null, new Uri("https://management.azure.com/")),
            (retrain.Mode, retrain.Cli, retrain.JobResourceId, retrain.ArmEndpoint));
        var serving = provider.GetRequiredService<ServingOptions>();
        Assert.Equal((TimeSpan.FromSeconds(30), ServingOptions.DefaultCacheFolder), (serving.RefreshInterval, serving.CacheFolder));
        Assert.IsType<ProcessRetrainLauncher>(provider.GetRequiredService<IRetrainLauncher>());
    }

    /// <summary>Every constructor parameter of every function class resolves from the app's registrations.</summary>
    [Fact]
    public void TheRegistrations_ProvideEveryFunctionClassDependency()
    {
        using var provider = Services(SampleWithCli()).BuildServiceProvider();
        var functionClasses = FunctionCatalog.HttpFunctions(FunctionCatalog.FunctionAppAssembly).Select(function => function.Method.DeclaringType!)
            .Concat(FunctionCatalog.TimerFunctions(FunctionCatalog.FunctionAppAssembly).Select(function => function.Method.DeclaringType!))
            .Distinct()
            .ToList();

        var unresolved = functionClasses
            .SelectMany(type => type.GetConstructors().SelectMany(constructor => constructor.GetParameters()).Select(parameter => (type, parameter)))
            .Where(pair => provider.GetService(pair.parameter.ParameterType) is null)
            .Select(pair => $"{pair.type.Name}({pair.parameter.ParameterType.Name} {pair.parameter.Name})")
            .ToList();

        Assert.Contains(typeof(RetrainNow), functionClasses);
        Assert.Contains(typeof(Retrain), functionClasses);
        Assert.Empty(unresolved);
    }

    [Fact]
    public void ContainerAppsJobMode_RegistersTheJobLauncher()
    {
        var settings = SampleValues();
        settings[RetrainSettingNames.Mode] = RetrainLaunchOptions.ContainerAppsJobModeName;
        settings[RetrainSettingNames.JobResourceId] = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.App/jobs/retrain";
        using var provider = Services(settings).BuildServiceProvider();

        Assert.IsType<ContainerAppsJobLauncher>(provider.GetRequiredService<IRetrainLauncher>());
    }

    [Fact]
    public void ContainerAppsJobMode_WithoutAJob_NamesTheMissingSetting()
    {
        var settings = SampleValues();
        settings[RetrainSettingNames.Mode] = RetrainLaunchOptions.ContainerAppsJobModeName;
        using var provider = Services(settings).BuildServiceProvider();

        var error = Assert.Throws<SettingException>(() => provider.GetRequiredService<IRetrainLauncher>());
        Assert.Equal(RetrainSettingNames.JobResourceId, error.Setting);
    }

    [Theory]
    [InlineData(StorageSettingNames.ModelRetentionCount, "five")]
    [InlineData(RetrainSettingNames.Mode, "gpu")]
    [InlineData(ServingSettingNames.ModelRefreshSeconds, "-1")]
    public async Task ABadSetting_StopsTheHostAtStart_NamingTheSetting(string setting, string value)
    {
        var settings = SampleWithCli();
        settings[setting] = value;
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        builder.Services.AddFunctionApp(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        using var host = builder.Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains(setting, error.Message);
    }

    private static ServiceCollection Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<IHostApplicationLifetime, StoppedNeverLifetime>();
        services.AddFunctionApp(configuration);
        return services;
    }

    private const string CliPath = "/opt/training/Recommender.Training.dll";

    private static Dictionary<string, string?> SampleWithCli()
    {
        var settings = SampleValues();
        settings[RetrainSettingNames.Cli] = CliPath;
        return settings;
    }

    private static Dictionary<string, string?> SampleValues()
    {
        var path = Path.Combine(TestPaths.RepositoryRoot, "src", "Functions", "local.settings.sample.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(pair => pair.Name, pair => pair.Value.GetString());
    }

    private sealed class StoppedNeverLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
