namespace Recommender.Model.Storage;

/// <summary>
/// The app settings (environment variables) the storage layer reads: the one list of their names, which
/// local.settings.sample.json and the Bicep template must match.
/// </summary>
public static class StorageSettingNames
{
    /// <summary>A storage connection string (Azurite locally). When set it wins over <see cref="AccountUrl"/>.</summary>
    public const string ConnectionString = "STORAGE_CONNECTION_STRING";

    /// <summary>The blob endpoint (https://ACCOUNT.blob.core.windows.net), reached with DefaultAzureCredential.</summary>
    public const string AccountUrl = "STORAGE_ACCOUNT_URL";

    /// <summary>Container holding the MovieLens release (default "data").</summary>
    public const string DataContainer = "DATA_CONTAINER";

    /// <summary>Prefix of the release inside <see cref="DataContainer"/> (default "movielens/").</summary>
    public const string DataPrefix = "DATA_PREFIX";

    /// <summary>Container of published and rejected model bundles (default "models").</summary>
    public const string ModelsContainer = "MODELS_CONTAINER";

    /// <summary>Container of run records and the retrain lock (default "runs").</summary>
    public const string RunsContainer = "RUNS_CONTAINER";

    /// <summary>How many published versions pruning keeps (default 5).</summary>
    public const string ModelRetentionCount = "MODEL_RETENTION_COUNT";

    /// <summary>The table endpoint (https://ACCOUNT.table.core.windows.net) of the user events, reached with DefaultAzureCredential.</summary>
    public const string TableAccountUrl = "STORAGE_TABLE_URL";

    /// <summary>Table of the user events, one per deployment (default "events").</summary>
    public const string EventsTable = "EVENTS_TABLE";

    /// <summary>The client id of a user-assigned managed identity, read by DefaultAzureCredential itself (the host sets it).</summary>
    public const string ManagedIdentityClientId = "AZURE_CLIENT_ID";

    public static IReadOnlyList<string> All { get; } =
        [ConnectionString, AccountUrl, DataContainer, DataPrefix, ModelsContainer, RunsContainer, ModelRetentionCount, TableAccountUrl, EventsTable];
}
