using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;

namespace Recommender.Model.Storage;

/// <summary>Creates the <see cref="BlobServiceClient"/> that <see cref="StorageOptions"/> describe.</summary>
public static class BlobServiceClientFactory
{
    /// <param name="clientOptions">Retry and timeout policy; the SDK's defaults when null.</param>
    /// <param name="credential">Used with <see cref="StorageOptions.AccountUrl"/>; a new DefaultAzureCredential when null.</param>
    /// <exception cref="SettingException">The options are invalid or the connection string cannot be parsed.</exception>
    public static BlobServiceClient Create(StorageOptions options, BlobClientOptions? clientOptions = null, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!options.UsesConnectionString)
        {
            return new BlobServiceClient(options.AccountUrl, credential ?? new DefaultAzureCredential(), clientOptions);
        }
        try
        {
            return new BlobServiceClient(options.ConnectionString, clientOptions);
        }
        catch (FormatException error)
        {
            // The connection string holds the account key: name the setting, never echo the value.
            throw new SettingException(StorageSettingNames.ConnectionString,
                $"{StorageSettingNames.ConnectionString} is not a valid storage connection string: {error.Message}", error);
        }
    }
}
