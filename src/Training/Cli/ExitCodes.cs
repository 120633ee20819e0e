namespace Recommender.Training.Cli;

public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
}

/// <summary>
/// The command line asks for something the command can only refuse once it runs (the checks that can be made
/// earlier are in the settings' and commands' Validate). Exit code 2, like the parser's and validation errors.
/// </summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>The command was well formed but failed (bad data, unreadable file, …). Exit code 1.</summary>
internal sealed class CommandFailedException(string message, Exception? innerException = null) : Exception(message, innerException);
