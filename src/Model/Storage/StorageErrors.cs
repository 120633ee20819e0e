using Azure;

namespace Recommender.Model.Storage;

public static class StorageErrors
{
    /// <summary>
    /// Whether <paramref name="error"/> says that Blob Storage could not be reached or is failing (no answer, or a 5xx),
    /// as opposed to a request it refused: the Azure SDK reports a transport failure as a RequestFailedException with
    /// status 0, and throws an <see cref="AggregateException"/> of such failures once its retries are spent.
    /// </summary>
    public static bool IsUnreachable(Exception error) => error switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsUnreachable),
        RequestFailedException failed => failed.Status is 0 or >= 500,
        _ => false,
    };
}
