using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Recommender.Model.Storage;
using Recommender.Training.Retraining;

namespace Recommender.Functions;

public static class RetrainingServiceCollectionExtensions
{
    private static readonly TimeSpan ArmRequestTimeout = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Registers the retraining options read from the app settings, the pipeline and the launcher the mode asks for
    /// (in-process, or the Container Apps job through ARM with a <see cref="TokenCredential"/>: DefaultAzureCredential
    /// unless one is registered already). Needs <see cref="StorageServiceCollectionExtensions.AddRecommenderStorage"/>.
    /// </summary>
    public static IServiceCollection AddRetraining(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => RetrainOptions.FromSettings(name => configuration[name]));
        services.AddSingleton(provider => RetrainStorage.From(provider.GetRequiredService<RecommenderStorage>()));
        services.AddSingleton<RetrainPipeline>();
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.AddSingleton<IRetrainLauncher>(provider =>
        {
            var options = provider.GetRequiredService<RetrainOptions>();
            return options.Mode switch
            {
                RetrainMode.ContainerAppsJob => new ContainerAppsJobLauncher(
                    provider.GetRequiredService<IRunRecordStore>(),
                    provider.GetRequiredService<IRetrainLock>(),
                    options,
                    new HttpClient { Timeout = ArmRequestTimeout },
                    provider.GetRequiredService<TokenCredential>(),
                    provider.GetRequiredService<ILogger<ContainerAppsJobLauncher>>()),
                _ => new InProcessRetrainLauncher(provider.GetRequiredService<RetrainPipeline>()),
            };
        });
        return services;
    }
}
