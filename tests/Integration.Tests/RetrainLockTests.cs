using Azure.Storage.Blobs.Specialized;
using Recommender.Model.Storage;

namespace Recommender.Integration.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class RetrainLockTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(15);

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!condition())
        {
            await Task.Delay(50, deadline.Token);
        }
    }

    [Fact]
    public async Task SecondAcquire_WhileHeld_SaysWhoHoldsIt_AndSucceedsAfterRelease()
    {
        var retrainLock = new RetrainLock(azurite.UniqueContainer("runs"));

        var first = await retrainLock.TryAcquireAsync("run 20250101-030000-aaaa (timer)", LeaseDuration);
        var second = await retrainLock.TryAcquireAsync("run 20250101-030500-bbbb (http)", LeaseDuration);

        Assert.True(first.Acquired);
        Assert.Null(first.Reason);
        Assert.False(second.Acquired);
        Assert.Null(second.Lease);
        Assert.Contains("'run 20250101-030000-aaaa (timer)'", second.Reason);
        Assert.Contains("retrain.lock", second.Reason);

        await first.Lease!.ReleaseAsync();
        await using var third = (await retrainLock.TryAcquireAsync("run 20250101-031000-cccc (cli)", LeaseDuration)).Lease;

        Assert.NotNull(third);
        Assert.Equal("run 20250101-031000-cccc (cli)", third.Holder);
    }

    [Fact]
    public async Task DisposingTheLease_ReleasesIt()
    {
        var retrainLock = new RetrainLock(azurite.UniqueContainer("runs"));

        await using (var held = (await retrainLock.TryAcquireAsync("first", LeaseDuration)).Lease)
        {
            Assert.NotNull(held);
            Assert.False((await retrainLock.TryAcquireAsync("second", LeaseDuration)).Acquired);
        }

        await using var after = (await retrainLock.TryAcquireAsync("second", LeaseDuration)).Lease;
        Assert.NotNull(after);
    }

    [Fact]
    public async Task HeldLease_IsRenewedInTheBackground()
    {
        var retrainLock = new RetrainLock(azurite.UniqueContainer("runs"));

        await using var lease = (await retrainLock.TryAcquireAsync("long run", LeaseDuration, renewalInterval: TimeSpan.FromMilliseconds(200))).Lease!;
        await WaitUntilAsync(() => lease.RenewalCount >= 3, TimeSpan.FromSeconds(10));

        Assert.Null(lease.LostReason);
        Assert.False(lease.LostToken.IsCancellationRequested);
        Assert.False((await retrainLock.TryAcquireAsync("other", LeaseDuration)).Acquired);
    }

    [Fact]
    public async Task BrokenLease_IsReportedLost()
    {
        var runs = azurite.UniqueContainer("runs");
        var retrainLock = new RetrainLock(runs);
        await using var lease = (await retrainLock.TryAcquireAsync("victim", LeaseDuration, renewalInterval: TimeSpan.FromMilliseconds(200))).Lease!;

        await runs.GetBlobClient(RetrainLock.LockBlobName).GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
        await using var taker = (await retrainLock.TryAcquireAsync("taker", LeaseDuration)).Lease;
        await WaitUntilAsync(() => lease.LostToken.IsCancellationRequested, TimeSpan.FromSeconds(10));

        Assert.NotNull(taker);
        Assert.Contains("lost", lease.LostReason);
    }

    [Theory]
    [InlineData(14)]
    [InlineData(61)]
    public async Task LeaseDurationOutsideBlobStoragesRange_IsRefused(int seconds)
    {
        var retrainLock = new RetrainLock(azurite.UniqueContainer("runs"));

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => retrainLock.TryAcquireAsync("run", TimeSpan.FromSeconds(seconds)));

        Assert.Equal("leaseDuration", error.ParamName);
    }
}
