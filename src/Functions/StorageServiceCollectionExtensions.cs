using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Recommender.Model.Storage;

namespace Recommender.Functions;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the storage options read from the app settings (validated at start), the one
    /// <see cref="TokenCredential"/> every Azure client of the app shares (DefaultAzureCredential: the managed identity
    /// in Azure; unless one is registered already), the <see cref="BlobServiceClient"/> through the Azure client
    /// factory (Azurite through a connection string locally, the account URL and the credential in Azure), the model
    /// repository, retrain lock and run records on it, and the <see cref="ModelPublishedSignal"/> by which a launcher
    /// tells the serving side about a publish.
    /// </summary>
    public static IServiceCollection AddRecommenderStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettingsOptions(() => StorageOptions.FromSettings(name => configuration[name]));
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.AddAzureClients(clients =>
        {
            clients.UseCredential(provider => provider.GetRequiredService<TokenCredential>());
            clients.AddClient<BlobServiceClient, BlobClientOptions>((clientOptions, credential, provider) =>
                BlobServiceClientFactory.Create(provider.GetRequiredService<StorageOptions>(), clientOptions, credential));
        });
        services.AddSingleton(provider => new RecommenderStorage(provider.GetRequiredService<BlobServiceClient>(), provider.GetRequiredService<StorageOptions>()));
        services.AddSingleton(provider => provider.GetRequiredService<RecommenderStorage>().Models);
        services.AddSingleton(provider => provider.GetRequiredService<RecommenderStorage>().RetrainLock);
        services.AddSingleton(provider => provider.GetRequiredService<RecommenderStorage>().Runs);
        services.AddSingleton<ModelPublishedSignal>();
        return services;
    }
}
