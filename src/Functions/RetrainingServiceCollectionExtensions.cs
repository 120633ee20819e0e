using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Recommender.Model.Retraining;
using Recommender.Model.Storage;

namespace Recommender.Functions;

public static class RetrainingServiceCollectionExtensions
{
    private static readonly TimeSpan ArmRequestTimeout = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Registers the launcher the retraining settings ask for: the training CLI as a child process, given the storage
    /// and retraining settings this app reads, or the Container Apps job through ARM with a <see cref="TokenCredential"/>
    /// (DefaultAzureCredential unless one is registered already). Needs <see cref="StorageServiceCollectionExtensions.AddRecommenderStorage"/>.
    /// </summary>
    public static IServiceCollection AddRetraining(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => RetrainLaunchOptions.FromSettings(name => configuration[name]));
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.AddSingleton<IRetrainLauncher>(provider =>
        {
            var options = provider.GetRequiredService<RetrainLaunchOptions>();
            return options.Mode switch
            {
                RetrainMode.ContainerAppsJob => new ContainerAppsJobLauncher(
                    provider.GetRequiredService<IRunRecordStore>(),
                    provider.GetRequiredService<IRetrainLock>(),
                    options,
                    new HttpClient { Timeout = ArmRequestTimeout },
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
