using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Recommender.Model.Storage;

namespace Recommender.Model.Events;

/// <summary>
/// Where the user events live: the table <see cref="TableName"/> of the account that <see cref="StorageSettingNames.ConnectionString"/>
/// (Azurite locally: its TableEndpoint) or <see cref="StorageSettingNames.TableAccountUrl"/> (Azure, with the managed identity) names;
/// the connection string wins when both are set, as for blobs.
/// </summary>
public sealed record EventStoreOptions
{
    public const string DefaultTableName = "events";

    public string? ConnectionString { get; init; }
    public Uri? TableAccountUrl { get; init; }
    public string TableName { get; init; } = DefaultTableName;

    public bool UsesConnectionString => !string.IsNullOrWhiteSpace(ConnectionString);

    /// <exception cref="SettingException">A setting is missing or invalid (the message names it).</exception>
    public static EventStoreOptions FromSettings(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        string? Read(string name) => setting(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var url = Read(StorageSettingNames.TableAccountUrl);
        var options = new EventStoreOptions
        {
            ConnectionString = Read(StorageSettingNames.ConnectionString),
            TableAccountUrl = url is null ? null
                : Uri.TryCreate(url, UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttps || parsed.Scheme == Uri.UriSchemeHttp) ? parsed
                : throw new SettingException(StorageSettingNames.TableAccountUrl,
                    $"{StorageSettingNames.TableAccountUrl} '{url}' is not an http(s) URL such as https://ACCOUNT.table.core.windows.net."),
            TableName = Read(StorageSettingNames.EventsTable) ?? DefaultTableName,
        };
        options.Validate();
        return options;
    }

    public static EventStoreOptions FromEnvironment() => FromSettings(Environment.GetEnvironmentVariable);

    /// <exception cref="SettingException">A value is missing or invalid (the message names its setting).</exception>
    public void Validate()
    {
        if (!UsesConnectionString && TableAccountUrl is null)
        {
            throw new SettingException(StorageSettingNames.TableAccountUrl,
                $"No table endpoint for the user events: set {StorageSettingNames.ConnectionString} (Azurite: with a TableEndpoint) " +
                $"or {StorageSettingNames.TableAccountUrl} (https://ACCOUNT.table.core.windows.net, used with the managed identity).");
        }
        if (!IsValidTableName(TableName))
        {
            throw new SettingException(StorageSettingNames.EventsTable,
                $"{StorageSettingNames.EventsTable} '{TableName}' is not a valid table name: 3 to 63 letters and digits, starting with a letter.");
        }
    }

    /// <summary>Azure's rule for table names.</summary>
    public static bool IsValidTableName(string name) =>
        name.Length is >= 3 and <= 63 && char.IsAsciiLetter(name[0]) && name.All(char.IsAsciiLetterOrDigit);

    /// <summary>The table client these options describe.</summary>
    /// <param name="credential">Used with <see cref="TableAccountUrl"/>; a new DefaultAzureCredential when null.</param>
    /// <exception cref="SettingException">The connection string cannot be parsed.</exception>
    public TableServiceClient CreateServiceClient(TableClientOptions? clientOptions = null, TokenCredential? credential = null)
    {
        Validate();
        if (!UsesConnectionString)
        {
            return new TableServiceClient(TableAccountUrl, credential ?? new DefaultAzureCredential(), clientOptions);
        }
        try
        {
            return new TableServiceClient(ConnectionString, clientOptions);
        }
        catch (FormatException error)
        {
            // The connection string holds the account key: name the setting, never echo the value.
            throw new SettingException(StorageSettingNames.ConnectionString,
                $"{StorageSettingNames.ConnectionString} is not a valid storage connection string: {error.Message}", error);
        }
    }
}
