using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Recommender.Model.Retraining;
using Recommender.Model.Storage;

namespace Recommender.Functions;

public static class RetrainingServiceCollectionExtensions
{
    private const string ArmClientName = "arm";

    /// <summary>
    /// Registers the launch options read from the app settings (validated at start) and the launcher they ask for:
    /// the training CLI as a child process, given the storage and retraining settings this app reads, or the Container
    /// Apps job through ARM with the app's shared <see cref="TokenCredential"/> and an HTTP client with the standard
    /// resilience handler (retries for the job's GET only: a repeated start would start a second execution).
    /// Needs <see cref="StorageServiceCollectionExtensions.AddRecommenderStorage"/>.
    /// </summary>
    public static IServiceCollection AddRetraining(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettingsOptions(() => RetrainLaunchOptions.FromSettings(name => configuration[name]));
        services.AddHttpClient(ArmClientName).AddStandardResilienceHandler(resilience => resilience.Retry.DisableForUnsafeHttpMethods());
        services.AddSingleton<IRetrainLauncher>(provider =>
        {
            var options = provider.GetRequiredService<RetrainLaunchOptions>();
            return options.Mode switch
            {
                RetrainMode.ContainerAppsJob => new ContainerAppsJobLauncher(
                    provider.GetRequiredService<IRunRecordStore>(),
                    provider.GetRequiredService<IRetrainLock>(),
                    options,
                    provider.GetRequiredService<IHttpClientFactory>().CreateClient(ArmClientName),
                    provider.GetRequiredService<TokenCredential>(),
                    provider.GetRequiredService<ILogger<ContainerAppsJobLauncher>>()),
                _ => new ProcessRetrainLauncher(
                    provider.GetRequiredService<IRunRecordStore>(),
                    provider.GetRequiredService<IRetrainLock>(),
                    provider.GetRequiredService<IModelRepository>(),
                    options,
                    TrainingSettings(configuration),
                    provider.GetRequiredService<ILogger<ProcessRetrainLauncher>>(),
                    provider.GetRequiredService<ModelPublishedSignal>()),
            };
        });
        return services;
    }

    /// <summary>The settings the training CLI reads, as this app's configuration has them (a settings file included).</summary>
    private static Dictionary<string, string> TrainingSettings(IConfiguration configuration) =>
        StorageSettingNames.All.Concat(RetrainSettingNames.All).Append(StorageSettingNames.ManagedIdentityClientId)
            .Where(name => configuration[name] is not null)
            .ToDictionary(name => name, name => configuration[name]!);
}
