using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Recommender.Functions;

public static class SettingsOptions
{
    /// <summary>
    /// Registers <typeparamref name="TOptions"/> as options (and as itself), made by <paramref name="read"/>: the
    /// options' own FromSettings, which parses the flat app settings (STORAGE_CONNECTION_STRING, …) with errors that
    /// name the setting. Validated when the host starts, so a bad setting stops the app at once instead of failing
    /// its first request.
    /// </summary>
    public static IServiceCollection AddSettingsOptions<TOptions>(this IServiceCollection services, Func<TOptions> read)
        where TOptions : class
    {
        services.AddSingleton<IOptionsFactory<TOptions>>(new ReadOnceFactory<TOptions>(read));
        services.AddOptions<TOptions>().ValidateOnStart();
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<TOptions>>().Value);
        return services;
    }

    private sealed class ReadOnceFactory<TOptions>(Func<TOptions> read) : IOptionsFactory<TOptions>
        where TOptions : class
    {
        public TOptions Create(string name) => read();
    }
}
