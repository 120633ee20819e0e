namespace Recommender.Model.Storage;

/// <summary>A storage setting is missing or invalid; <see cref="Setting"/> names it.</summary>
public sealed class StorageConfigurationException : Exception
{
    public StorageConfigurationException(string setting, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Setting = setting;
    }

    public string Setting { get; }
}
