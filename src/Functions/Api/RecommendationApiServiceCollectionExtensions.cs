using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Recommender.Model.Serving;
using Recommender.Model.Storage;

namespace Recommender.Functions.Api;

public static class RecommendationApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers the serving side of the HTTP API: <see cref="ServingOptions"/> read from the app settings (validated at start) and the one
    /// <see cref="ModelProvider"/> (in-memory model, ETag polling, loading at once what this process publishes) the functions share. Needs
    /// <see cref="StorageServiceCollectionExtensions.AddRecommenderStorage"/> for the model repository.
    /// </summary>
    public static IServiceCollection AddRecommendationApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSettingsOptions(() => ServingOptions.FromSettings(name => configuration[name]));
        services.AddSingleton(provider => new ModelProvider(
            provider.GetRequiredService<IModelRepository>(),
            provider.GetRequiredService<ServingOptions>(),
            provider.GetRequiredService<ILogger<ModelProvider>>(),
            provider.GetRequiredService<TimeProvider>(),
            publishedSignal: provider.GetRequiredService<ModelPublishedSignal>()));
        return services;
    }
}
