namespace Recommender.Model.Storage;

/// <summary>A model bundle could not be stored, published or read; the message names the container, version and file.</summary>
public class ModelStorageException : Exception
{
    public ModelStorageException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>The requested version has no blobs in the models container.</summary>
public sealed class ModelVersionNotFoundException : ModelStorageException
{
    public ModelVersionNotFoundException(string version, string message)
        : base(message)
    {
        Version = version;
    }

    public string Version { get; }
}

/// <summary>
/// latest.json was not what the publisher expected (another publisher moved it first): the version was not
/// published and its uploaded files were removed.
/// </summary>
public sealed class ModelPublishConflictException : ModelStorageException
{
    public ModelPublishConflictException(string version, string? expectedVersion, string? actualVersion, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Version = version;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>The version that was not published.</summary>
    public string Version { get; }

    /// <summary>The version latest.json was expected to name; null when nothing was expected to be published.</summary>
    public string? ExpectedVersion { get; }

    /// <summary>The version latest.json names now; null when it is missing or unreadable.</summary>
    public string? ActualVersion { get; }
}
