using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Recommender.Functions.Retraining;
using Recommender.Model.Serving;
using Recommender.Model.Storage;
using Recommender.Training.Retraining;

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
    public void TheSample_ScheduleIsDailyAt3Utc_AndRetrainingRunsInProcess()
    {
        var sample = SampleValues();

        Assert.Equal("0 0 3 * * *", sample[RetrainSettingNames.Schedule]);
        Assert.Equal(RetrainMode.InProcess, RetrainOptions.FromSettings(name => sample.GetValueOrDefault(name)).Mode);
    }

    [Fact]
    public void TheRegistrations_BuildBothFunctions_FromTheSample()
    {
        using var provider = Services(SampleValues()).BuildServiceProvider();

        Assert.NotNull(ActivatorUtilities.CreateInstance<Retrain>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<RetrainNow>(provider));
        Assert.IsType<InProcessRetrainLauncher>(provider.GetRequiredService<IRetrainLauncher>());
    }

    [Fact]
    public void ContainerAppsJobMode_RegistersTheJobLauncher()
    {
        var settings = SampleValues();
        settings[RetrainSettingNames.Mode] = RetrainOptions.ContainerAppsJobModeName;
        settings[RetrainSettingNames.JobResourceId] = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.App/jobs/retrain";
        using var provider = Services(settings).BuildServiceProvider();

        Assert.IsType<ContainerAppsJobLauncher>(provider.GetRequiredService<IRetrainLauncher>());
    }

    [Fact]
    public void ContainerAppsJobMode_WithoutAJob_NamesTheMissingSetting()
    {
        var settings = SampleValues();
        settings[RetrainSettingNames.Mode] = RetrainOptions.ContainerAppsJobModeName;
        using var provider = Services(settings).BuildServiceProvider();

        var error = Assert.Throws<RetrainConfigurationException>(() => provider.GetRequiredService<IRetrainLauncher>());
        Assert.Equal(RetrainSettingNames.JobResourceId, error.Setting);
    }

    private static ServiceCollection Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<IHostApplicationLifetime, StoppedNeverLifetime>();
        services.AddRecommenderStorage(configuration);
        services.AddRetraining(configuration);
        return services;
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
