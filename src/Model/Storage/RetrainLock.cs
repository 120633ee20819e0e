using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Recommender.Model.Storage;

/// <summary>One retraining at a time across every instance: whoever holds the lease on the lock blob may retrain.</summary>
public interface IRetrainLock
{
    /// <summary>
    /// Takes the lock for <paramref name="holder"/> (for example "run 20250101-030000-1a2b3c4d (timer)"), or says who
    /// holds it. The lease is renewed in the background until the returned lease is released or disposed.
    /// </summary>
    /// <param name="leaseDuration">15 to 60 seconds (Blob Storage's range): how long the lock outlives a crashed holder.</param>
    /// <param name="renewalInterval">How often the lease is renewed; a third of <paramref name="leaseDuration"/> when null.</param>
    Task<RetrainLockAttempt> TryAcquireAsync(string holder, TimeSpan leaseDuration, TimeSpan? renewalInterval = null, CancellationToken cancellationToken = default);
}

/// <summary>The outcome of <see cref="IRetrainLock.TryAcquireAsync"/>.</summary>
/// <param name="Lease">The held lock; null when another holder has it.</param>
/// <param name="Reason">Why it was not acquired, naming the current holder and since when (for the log and the run record).</param>
/// <param name="Holder">The current holder's name, when not acquired and the lock names one.</param>
public sealed record RetrainLockAttempt(IRetrainLease? Lease, string? Reason, string? Holder = null)
{
    public bool Acquired => Lease is not null;
}

/// <summary>A held retrain lock. Dispose (or <see cref="ReleaseAsync"/>) to release it.</summary>
public interface IRetrainLease : IAsyncDisposable
{
    string Holder { get; }
    DateTimeOffset AcquiredAt { get; }

    /// <summary>Successful background renewals so far.</summary>
    int RenewalCount { get; }

    /// <summary>Cancelled when the lease is lost (renewal refused, or impossible for a whole lease duration): stop the work, another instance may take over.</summary>
    CancellationToken LostToken { get; }

    /// <summary>Why the lease was lost; null while it is held.</summary>
    string? LostReason { get; }

    /// <summary>Stops renewing and releases the lease. A release that fails leaves the lease to expire within its duration.</summary>
    Task ReleaseAsync();
}

/// <summary><see cref="IRetrainLock"/> as a lease on <see cref="LockBlobName"/> in the runs container (both created when missing).</summary>
public sealed class RetrainLock : IRetrainLock
{
    public const string LockBlobName = "retrain.lock";

    private const string HolderMetadataKey = "holder";
    private const string AcquiredAtMetadataKey = "acquiredat";
    private static readonly TimeSpan MinimumLeaseDuration = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaximumLeaseDuration = TimeSpan.FromSeconds(60);

    private readonly BlobContainerClient _container;
    private readonly TimeProvider _time;

    public RetrainLock(BlobContainerClient runsContainer, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(runsContainer);
        _container = runsContainer;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>"container/blob" of the lock, for messages.</summary>
    public string Location => $"{_container.Name}/{LockBlobName}";

    public async Task<RetrainLockAttempt> TryAcquireAsync(string holder, TimeSpan leaseDuration, TimeSpan? renewalInterval = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        ArgumentOutOfRangeException.ThrowIfLessThan(leaseDuration, MinimumLeaseDuration);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(leaseDuration, MaximumLeaseDuration);
        var interval = renewalInterval ?? leaseDuration / 3;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(renewalInterval));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(interval, leaseDuration, nameof(renewalInterval));

        var blob = _container.GetBlobClient(LockBlobName);
        var lease = blob.GetBlobLeaseClient(Guid.NewGuid().ToString());
        try
        {
            await AcquireCreatingBlobAsync(blob, lease, leaseDuration, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException error) when (error.Status == 409)
        {
            var (reason, holderName) = await DescribeHolderAsync(blob, cancellationToken).ConfigureAwait(false);
            return new RetrainLockAttempt(null, reason, holderName);
        }

        var acquiredAt = _time.GetUtcNow();
        try
        {
            var metadata = new Dictionary<string, string>
            {
                [HolderMetadataKey] = Uri.EscapeDataString(holder),
                [AcquiredAtMetadataKey] = acquiredAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            };
            await blob.SetMetadataAsync(metadata, new BlobRequestConditions { LeaseId = lease.LeaseId }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ReleaseQuietlyAsync(lease).ConfigureAwait(false);
            throw;
        }
        return new RetrainLockAttempt(new BlobRetrainLease(lease, holder, acquiredAt, leaseDuration, interval, _time), null);
    }

    private async Task AcquireCreatingBlobAsync(BlobClient blob, BlobLeaseClient lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        try
        {
            await lease.AcquireAsync(duration, cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            if (error.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException error) when (error.Status is 409 or 412)
        {
            // Another instance created it first.
        }
        await lease.AcquireAsync(duration, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task<(string Reason, string? Holder)> DescribeHolderAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        var name = properties.Metadata.TryGetValue(HolderMetadataKey, out var escaped) ? Uri.UnescapeDataString(escaped) : null;
        var holder = name is null ? "an unknown holder" : $"'{name}'";
        var since = properties.Metadata.TryGetValue(AcquiredAtMetadataKey, out var acquiredAt) ? $" since {acquiredAt}" : "";
        if (properties.LeaseState != LeaseState.Leased)
        {
            // The holder finished between the refused acquire and this read; the blob still names it.
            return ($"Retrain lock '{Location}' was held by {holder}{since} a moment ago and is now free ({properties.LeaseState}); another retraining just finished.", name);
        }
        return ($"Retrain lock '{Location}' is held by {holder}{since}; another retraining is running.", name);
    }

    internal static async Task ReleaseQuietlyAsync(BlobLeaseClient lease)
    {
        try
        {
            await lease.ReleaseAsync().ConfigureAwait(false);
        }
        catch (Exception error) when (error is RequestFailedException or AggregateException)
        {
            // The lease expires within its duration.
        }
    }
}

/// <summary>A lease on the lock blob, renewed by a background loop until released.</summary>
internal sealed class BlobRetrainLease : IRetrainLease
{
    private readonly BlobLeaseClient _lease;
    private readonly TimeSpan _duration;
    private readonly TimeSpan _renewalInterval;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _renewal;
    private long _lastRenewedTicks;
    private int _renewalCount;
    private int _released;

    public BlobRetrainLease(BlobLeaseClient lease, string holder, DateTimeOffset acquiredAt, TimeSpan duration, TimeSpan renewalInterval, TimeProvider time)
    {
        _lease = lease;
        _duration = duration;
        _renewalInterval = renewalInterval;
        _time = time;
        Holder = holder;
        AcquiredAt = acquiredAt;
        _lastRenewedTicks = acquiredAt.UtcTicks;
        _renewal = Task.Run(RenewUntilStoppedAsync);
    }

    public string Holder { get; }
    public DateTimeOffset AcquiredAt { get; }
    public int RenewalCount => Volatile.Read(ref _renewalCount);
    public CancellationToken LostToken => _lost.Token;
    public string? LostReason { get; private set; }

    public async Task ReleaseAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 1)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewal.ConfigureAwait(false);
        if (LostReason is null)
        {
            await RetrainLock.ReleaseQuietlyAsync(_lease).ConfigureAwait(false);
        }
        _stop.Dispose();
    }

    public async ValueTask DisposeAsync() => await ReleaseAsync().ConfigureAwait(false);

    private async Task RenewUntilStoppedAsync()
    {
        using var timer = new PeriodicTimer(_renewalInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                attempt.CancelAfter(_renewalInterval);
                try
                {
                    await _lease.RenewAsync(cancellationToken: attempt.Token).ConfigureAwait(false);
                    Volatile.Write(ref _lastRenewedTicks, _time.GetUtcNow().UtcTicks);
                    Interlocked.Increment(ref _renewalCount);
                }
                catch (RequestFailedException error) when (error.Status is 404 or 409 or 412)
                {
                    MarkLost($"The retrain lock lease was lost: renewal was refused ({error.ErrorCode ?? error.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");
                    return;
                }
                catch (Exception error) when (error is RequestFailedException or AggregateException
                    || (error is OperationCanceledException && !_stop.IsCancellationRequested))
                {
                    var unrenewed = _time.GetUtcNow() - new DateTimeOffset(Volatile.Read(ref _lastRenewedTicks), TimeSpan.Zero);
                    if (unrenewed >= _duration)
                    {
                        MarkLost($"The retrain lock lease expired: it could not be renewed for {unrenewed.TotalSeconds:0} s (last error: {error.Message}).");
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Released.
        }
    }

    private void MarkLost(string reason)
    {
        LostReason = reason;
        _lost.Cancel();
    }
}
