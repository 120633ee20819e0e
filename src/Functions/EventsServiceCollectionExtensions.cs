using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Recommender.Model.Events;

namespace Recommender.Functions;

public static class EventsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the user events: <see cref="EventStoreOptions"/> read from the app settings (validated at start), the
    /// <see cref="TableServiceClient"/> through the Azure client factory (Azurite's table endpoint through the connection
    /// string locally, STORAGE_TABLE_URL with the shared <see cref="TokenCredential"/> in Azure), the
    /// <see cref="UserEventStore"/> on it, the <see cref="LiveUserHistory"/> the recommendation route reads, and the
    /// hosted service that keeps it reading the change feed. Needs
    /// <see cref="StorageServiceCollectionExtensions.AddRecommenderStorage"/> for the credential.
    /// </summary>
    public static IServiceCollection AddUserEvents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettingsOptions(() => EventStoreOptions.FromSettings(name => configuration[name]));
        services.AddAzureClients(clients =>
            clients.AddClient<TableServiceClient, TableClientOptions>((clientOptions, credential, provider) =>
            {
                // A request waits on the table: give up after a few quick tries, so that an outage answers 503 in
                // seconds and the live path falls back to the model instead of holding requests for the SDK's minute.
                clientOptions.Retry.MaxRetries = 2;
                clientOptions.Retry.Mode = RetryMode.Exponential;
                clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(100);
                clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
                return provider.GetRequiredService<EventStoreOptions>().CreateServiceClient(clientOptions, credential);
            }));
        services.AddSingleton(provider => new UserEventStore(
            provider.GetRequiredService<TableServiceClient>(), provider.GetRequiredService<EventStoreOptions>(), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new LiveUserHistory(
            provider.GetRequiredService<UserEventStore>(), provider.GetRequiredService<ILogger<LiveUserHistory>>(), provider.GetRequiredService<TimeProvider>()));
        services.AddHostedService(provider => new ChangeFeedPolling(provider.GetRequiredService<LiveUserHistory>()));
        return services;
    }

    private sealed class ChangeFeedPolling(LiveUserHistory live) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => live.RunChangePollingAsync(stoppingToken);
    }
}
