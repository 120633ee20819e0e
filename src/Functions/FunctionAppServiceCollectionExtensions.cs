using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Functions.Api;

namespace Recommender.Functions;

public static class FunctionAppServiceCollectionExtensions
{
    /// <summary>
    /// Every service the function classes need: the one list Program.cs and the local development host
    /// (src/LocalHost) both register, so that the two cannot differ.
    /// </summary>
    public static IServiceCollection AddFunctionApp(this IServiceCollection services, IConfiguration configuration) =>
        services
            .AddRecommenderStorage(configuration)
            .AddRetraining(configuration)
            .AddRecommendationApi(configuration)
            .AddUserEvents(configuration);
}
