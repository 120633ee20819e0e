using Recommender.Model;
using Recommender.Model.Storage;

namespace Recommender.Integration.Tests;

public class StorageOptionsTests
{
    private static StorageOptions FromSettings(params (string Name, string Value)[] settings)
    {
        var values = settings.ToDictionary(setting => setting.Name, setting => setting.Value);
        return StorageOptions.FromSettings(name => values.GetValueOrDefault(name));
    }

    [Fact]
    public void SettingNames_AreTheDocumentedDistinctNames()
    {
        Assert.Equal(
            ["STORAGE_CONNECTION_STRING", "STORAGE_ACCOUNT_URL", "DATA_CONTAINER", "DATA_PREFIX", "MODELS_CONTAINER", "RUNS_CONTAINER", "MODEL_RETENTION_COUNT", "STORAGE_TABLE_URL", "EVENTS_TABLE"],
            StorageSettingNames.All);
    }

    [Fact]
    public void OnlyAConnectionString_GivesTheDefaults()
    {
        var options = FromSettings((StorageSettingNames.ConnectionString, "UseDevelopmentStorage=true"));

        Assert.True(options.UsesConnectionString);
        Assert.Equal(("data", "movielens/", "models", "runs", 5), (options.DataContainer, options.DataPrefix, options.ModelsContainer, options.RunsContainer, options.ModelRetentionCount));
    }

    [Fact]
    public void EverySetting_IsRead_AndThePrefixNormalized()
    {
        var options = FromSettings(
            (StorageSettingNames.AccountUrl, "https://acct.blob.core.windows.net"),
            (StorageSettingNames.DataContainer, "ratings"),
            (StorageSettingNames.DataPrefix, "/ml-25m"),
            (StorageSettingNames.ModelsContainer, "bundles"),
            (StorageSettingNames.RunsContainer, "run-records"),
            (StorageSettingNames.ModelRetentionCount, "3"));

        Assert.False(options.UsesConnectionString);
        Assert.Equal(new Uri("https://acct.blob.core.windows.net"), options.AccountUrl);
        Assert.Equal(("ratings", "ml-25m/", "bundles", "run-records", 3), (options.DataContainer, options.DataPrefix, options.ModelsContainer, options.RunsContainer, options.ModelRetentionCount));
    }

    [Fact]
    public void ConnectionString_WinsOverAccountUrl()
    {
        var options = FromSettings(
            (StorageSettingNames.ConnectionString, "UseDevelopmentStorage=true"),
            (StorageSettingNames.AccountUrl, "https://acct.blob.core.windows.net"));

        var client = BlobServiceClientFactory.Create(options);

        Assert.True(options.UsesConnectionString);
        Assert.Equal("devstoreaccount1", client.AccountName);
    }

    [Fact]
    public void AccountUrl_GivesAClientForThatAccount()
    {
        var client = BlobServiceClientFactory.Create(FromSettings((StorageSettingNames.AccountUrl, "https://acct.blob.core.windows.net/")));

        Assert.Equal(new Uri("https://acct.blob.core.windows.net/"), client.Uri);
        Assert.Equal("acct", client.AccountName);
    }

    [Fact]
    public void NoAccount_FailsNamingBothSettings()
    {
        var error = Assert.Throws<SettingException>(() => FromSettings((StorageSettingNames.ConnectionString, "  ")));

        Assert.Contains(StorageSettingNames.ConnectionString, error.Message);
        Assert.Contains(StorageSettingNames.AccountUrl, error.Message);
    }

    [Theory]
    [InlineData(StorageSettingNames.DataContainer, "Data")]
    [InlineData(StorageSettingNames.ModelsContainer, "ab")]
    [InlineData(StorageSettingNames.RunsContainer, "runs--old")]
    [InlineData(StorageSettingNames.ModelRetentionCount, "0")]
    [InlineData(StorageSettingNames.ModelRetentionCount, "five")]
    [InlineData(StorageSettingNames.AccountUrl, "acct.blob.core.windows.net")]
    [InlineData(StorageSettingNames.AccountUrl, "ftp://acct.blob.core.windows.net")]
    public void InvalidSetting_FailsNamingIt(string setting, string value)
    {
        var settings = new List<(string, string)> { (setting, value) };
        if (setting != StorageSettingNames.AccountUrl)
        {
            settings.Add((StorageSettingNames.ConnectionString, "UseDevelopmentStorage=true"));
        }

        var error = Assert.Throws<SettingException>(() => FromSettings([.. settings]));

        Assert.Equal(setting, error.Setting);
        Assert.Contains(setting, error.Message);
        Assert.Contains(value, error.Message);
    }

    [Fact]
    public void OptionsBuiltInCode_AreValidatedToo()
    {
        var options = new StorageOptions { ConnectionString = "UseDevelopmentStorage=true", DataPrefix = "/movielens" };

        var error = Assert.Throws<SettingException>(() => BlobServiceClientFactory.Create(options));

        Assert.Equal(StorageSettingNames.DataPrefix, error.Setting);
        Assert.Contains("'movielens/'", error.Message);
    }

    [Fact]
    public void UnparsableConnectionString_FailsNamingTheSettingWithoutEchoingIt()
    {
        var options = new StorageOptions { ConnectionString = "AccountKey=secret-key-value;nonsense" };

        var error = Assert.Throws<SettingException>(() => BlobServiceClientFactory.Create(options));

        Assert.Equal(StorageSettingNames.ConnectionString, error.Setting);
        Assert.DoesNotContain("secret-key-value", error.Message);
    }

    [Theory]
    [InlineData("movielens", "movielens/")]
    [InlineData("/a/b/", "a/b/")]
    [InlineData("/", "")]
    [InlineData("", "")]
    public void Prefixes_AreNormalized(string prefix, string expected) =>
        Assert.Equal(expected, StorageOptions.NormalizePrefix(prefix));
}
