using Azure;
using Recommender.Model.Storage;

namespace Recommender.Model.Tests.Storage;

public class StorageErrorsTests
{
    [Fact]
    public void NoAnswerAndServerErrors_AreUnreachable_RefusedRequestsAreNot()
    {
        var noAnswer = new RequestFailedException(0, "Connection refused (127.0.0.1:1)");
        var busy = new RequestFailedException(503, "Server busy");
        var conflict = new RequestFailedException(409, "LeaseAlreadyPresent");

        Assert.True(StorageErrors.IsUnreachable(noAnswer));
        Assert.True(StorageErrors.IsUnreachable(busy));
        Assert.True(StorageErrors.IsUnreachable(new AggregateException("Retry failed after 3 tries.", noAnswer, busy)));
        Assert.False(StorageErrors.IsUnreachable(conflict));
        Assert.False(StorageErrors.IsUnreachable(new AggregateException(noAnswer, conflict)));
        Assert.False(StorageErrors.IsUnreachable(new AggregateException()));
        Assert.False(StorageErrors.IsUnreachable(new IOException("disk full")));
    }
}
