namespace Recommender.Model.Serving;

/// <summary>
/// The app settings (environment variables) the serving side reads: the one list of their names, which
/// local.settings.sample.json and the Bicep template must match.
/// </summary>
public static class ServingSettingNames
{
    /// <summary>Seconds between checks of latest.json's ETag (default 30).</summary>
    public const string ModelRefreshSeconds = "MODEL_REFRESH_SECONDS";

    /// <summary>Local folder bundles are downloaded into (default: the system temp folder).</summary>
    public const string ModelCacheFolder = "MODEL_CACHE_FOLDER";

    public static IReadOnlyList<string> All { get; } = [ModelRefreshSeconds, ModelCacheFolder];
}
