using System.Globalization;

namespace Recommender.Model.Storage;

/// <summary>
/// Where the data, the models and the run records live. Either <see cref="ConnectionString"/> (Azurite locally)
/// or <see cref="AccountUrl"/> (Azure, with DefaultAzureCredential: the app's managed identity, whose client id
/// DefaultAzureCredential takes from AZURE_CLIENT_ID for a user-assigned identity) must be set; when both are,
/// the connection string wins, so a local settings file can override the account of a shared configuration.
/// </summary>
public sealed record StorageOptions
{
    public const string DefaultDataContainer = "data";
    public const string DefaultDataPrefix = "movielens/";
    public const string DefaultModelsContainer = "models";
    public const string DefaultRunsContainer = "runs";
    public const int DefaultModelRetentionCount = 5;

    public string? ConnectionString { get; init; }
    public Uri? AccountUrl { get; init; }
    public string DataContainer { get; init; } = DefaultDataContainer;

    /// <summary>"folder/" form: no leading '/', a trailing '/' unless empty (the container root).</summary>
    public string DataPrefix { get; init; } = DefaultDataPrefix;

    public string ModelsContainer { get; init; } = DefaultModelsContainer;
    public string RunsContainer { get; init; } = DefaultRunsContainer;
    public int ModelRetentionCount { get; init; } = DefaultModelRetentionCount;

    public bool UsesConnectionString => !string.IsNullOrWhiteSpace(ConnectionString);

    /// <summary>
    /// Reads the settings named in <see cref="StorageSettingNames"/> through <paramref name="setting"/>, for example
    /// <c>name =&gt; configuration[name]</c> or <see cref="Environment.GetEnvironmentVariable(string)"/>.
    /// Blank values count as unset. The result is validated.
    /// </summary>
    /// <exception cref="SettingException">A setting is missing or invalid (the message names it).</exception>
    public static StorageOptions FromSettings(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        string? Read(string name) => setting(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var options = new StorageOptions
        {
            ConnectionString = Read(StorageSettingNames.ConnectionString),
            AccountUrl = Read(StorageSettingNames.AccountUrl) is { } url ? ParseAccountUrl(url) : null,
            DataContainer = Read(StorageSettingNames.DataContainer) ?? DefaultDataContainer,
            DataPrefix = NormalizePrefix(Read(StorageSettingNames.DataPrefix) ?? DefaultDataPrefix),
            ModelsContainer = Read(StorageSettingNames.ModelsContainer) ?? DefaultModelsContainer,
            RunsContainer = Read(StorageSettingNames.RunsContainer) ?? DefaultRunsContainer,
            ModelRetentionCount = Read(StorageSettingNames.ModelRetentionCount) is { } count ? ParseRetention(count) : DefaultModelRetentionCount,
        };
        options.Validate();
        return options;
    }

    public static StorageOptions FromEnvironment() => FromSettings(Environment.GetEnvironmentVariable);

    /// <exception cref="SettingException">A value is missing or invalid (the message names its setting).</exception>
    public void Validate()
    {
        if (!UsesConnectionString && AccountUrl is null)
        {
            throw new SettingException(StorageSettingNames.ConnectionString,
                $"No storage account configured: set {StorageSettingNames.ConnectionString} (for example 'UseDevelopmentStorage=true' for Azurite) " +
                $"or {StorageSettingNames.AccountUrl} (https://ACCOUNT.blob.core.windows.net, used with the managed identity).");
        }
        if (!UsesConnectionString)
        {
            CheckAccountUrl(AccountUrl!);
        }
        CheckContainerName(StorageSettingNames.DataContainer, DataContainer);
        CheckContainerName(StorageSettingNames.ModelsContainer, ModelsContainer);
        CheckContainerName(StorageSettingNames.RunsContainer, RunsContainer);
        if (DataPrefix != NormalizePrefix(DataPrefix))
        {
            throw new SettingException(StorageSettingNames.DataPrefix,
                $"{StorageSettingNames.DataPrefix} '{DataPrefix}' must have no leading '/' and end in '/' (or be empty for the container root); " +
                $"for example '{NormalizePrefix(DataPrefix)}'.");
        }
        if (ModelRetentionCount < 1)
        {
            throw new SettingException(StorageSettingNames.ModelRetentionCount,
                $"{StorageSettingNames.ModelRetentionCount} must be at least 1 (the published version is always kept), not {ModelRetentionCount}.");
        }
    }

    /// <summary>"movielens" and "/movielens/" both become "movielens/"; "" and "/" the container root.</summary>
    public static string NormalizePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var trimmed = prefix.Trim().Trim('/');
        return trimmed.Length == 0 ? "" : trimmed + "/";
    }

    /// <summary>Azure's rule: 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.</summary>
    public static bool IsValidContainerName(string name) =>
        name.Length is >= 3 and <= 63
        && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
        && name[0] != '-' && name[^1] != '-'
        && !name.Contains("--", StringComparison.Ordinal);

    private static void CheckContainerName(string setting, string name)
    {
        if (!IsValidContainerName(name))
        {
            throw new SettingException(setting,
                $"{setting} '{name}' is not a valid container name: use 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.");
        }
    }

    private static Uri ParseAccountUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var url))
        {
            throw new SettingException(StorageSettingNames.AccountUrl,
                $"{StorageSettingNames.AccountUrl} '{value}' is not an absolute URL such as https://ACCOUNT.blob.core.windows.net.");
        }
        CheckAccountUrl(url);
        return url;
    }

    private static void CheckAccountUrl(Uri url)
    {
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw new SettingException(StorageSettingNames.AccountUrl,
                $"{StorageSettingNames.AccountUrl} '{url}' must be an http(s) URL such as https://ACCOUNT.blob.core.windows.net.");
        }
    }

    private static int ParseRetention(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new SettingException(StorageSettingNames.ModelRetentionCount,
                $"{StorageSettingNames.ModelRetentionCount} '{value}' is not a whole number.");
}
