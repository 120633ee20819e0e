using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Model.Storage;

namespace Recommender.Functions;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the storage options read from the app settings and the blob-backed model repository, retrain lock
    /// and run records built on them (Azurite through a connection string locally, managed identity in Azure), and the
    /// <see cref="ModelPublishedSignal"/> by which this process's retraining tells its serving side about a publish.
    /// </summary>
    public static IServiceCollection AddRecommenderStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => StorageOptions.FromSettings(name => configuration[name]));
        services.AddSingleton(provider => RecommenderStorage.Create(provider.GetRequiredService<StorageOptions>()));
        services.AddSingleton(provider => provider.GetRequiredService<RecommenderStorage>().Models);
        services.AddSingleton(provider => provider.GetRequiredService<RecommenderStorage>().RetrainLock);
        services.AddSingleton(provider => provider.GetRequiredService<RecommenderStorage>().Runs);
        services.AddSingleton<ModelPublishedSignal>();
        return services;
    }
}
