namespace Recommender.Model;

/// <summary>An app setting (an environment variable, or a settings-file value) is missing or invalid; <see cref="Setting"/> names it.</summary>
public sealed class SettingException(string setting, string message, Exception? innerException = null) : Exception(message, innerException)
{
    public string Setting { get; } = setting;
}
