using System.Diagnostics;
using Azure;
using Microsoft.Extensions.Logging;
using Recommender.Model.Bundle;
using Recommender.Model.Engine;
using Recommender.Model.Storage;

namespace Recommender.Model.Serving;

/// <summary>
/// Keeps the published model in memory for the serving side. The first request starts the one load every concurrent
/// request waits for. While no model is served, a request may check latest.json again at most once per
/// <see cref="UnservedCheckInterval"/> (concurrent requests share that check); once one is served, latest.json's ETag
/// is checked at most once per <see cref="ServingOptions.RefreshInterval"/>, in the background (requests keep the
/// current model meanwhile). A publish in this process (<see cref="ModelPublishedSignal"/>) starts a check at once,
/// whatever the interval. A new version is downloaded into this provider's
/// own cache folder, loaded and verified completely (every file's SHA-256, the bundle's consistency) before it
/// replaces the served one; when that fails, the failure is logged, the old model keeps serving and the same
/// latest.json (ETag) is not tried again. Transient storage errors are retried at the next check.
/// </summary>
public sealed class ModelProvider : IDisposable
{
    /// <summary>How often latest.json may be checked while no model is served (at most, and coalesced across requests).</summary>
    public static readonly TimeSpan UnservedCheckInterval = TimeSpan.FromSeconds(1);

    private readonly IModelRepository _repository;
    private readonly ServingOptions _options;
    private readonly ILogger<ModelProvider> _logger;
    private readonly TimeProvider _time;
    private readonly RecommendationEngineOptions? _engineOptions;
    private readonly ModelPublishedSignal? _publishedSignal;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private ServedModel? _current;
    private ETag? _currentETag;
    private ETag? _failedETag;
    private Task? _refresh;
    private DateTimeOffset? _lastCheck;
    private bool _checkAgain;

    /// <param name="publishedSignal">Where this process announces its own publishes; each one starts a check at once.</param>
    public ModelProvider(
        IModelRepository repository, ServingOptions options, ILogger<ModelProvider> logger, TimeProvider? timeProvider = null,
        RecommendationEngineOptions? engineOptions = null, ModelPublishedSignal? publishedSignal = null)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RefreshInterval, TimeSpan.Zero, nameof(options));
        _repository = repository;
        _options = options;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _engineOptions = engineOptions;
        CacheFolder = Path.Combine(options.CacheFolder, $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        _publishedSignal = publishedSignal;
        if (publishedSignal is not null)
        {
            publishedSignal.Published += OnPublished;
        }
    }

    /// <summary>This provider's download folder (one subfolder per version; removed on dispose).</summary>
    public string CacheFolder { get; }

    /// <summary>The model served now, without checking for a newer one; null before the first successful load.</summary>
    public ServedModel? Current => Volatile.Read(ref _current);

    /// <summary>How many bundles were downloaded and loaded (successfully or not) since start.</summary>
    public int LoadAttempts { get; private set; }

    /// <summary>
    /// A lease on the served model, after starting a check for a newer one when one is due. Only while no model is
    /// loaded does the caller wait for that check (shared by every concurrent caller). Null when no model is
    /// published or the first load failed; <see cref="RetryAfter"/> says when the next check may happen.
    /// </summary>
    public async ValueTask<ModelLease?> AcquireAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        var refresh = StartRefreshIfDue();
        if (refresh is not null && Current is null)
        {
            await refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        while (Current is { } model)
        {
            if (model.TryAcquire())
            {
                return new ModelLease(model);
            }
            // Retired between the read and the acquire: the replacement is already current.
        }
        return null;
    }

    /// <summary>Time until the next check of latest.json may run (at least one second), for a Retry-After header.</summary>
    public TimeSpan RetryAfter
    {
        get
        {
            lock (_gate)
            {
                var next = (_lastCheck ?? _time.GetUtcNow()) + CheckInterval - _time.GetUtcNow();
                return next < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : next;
            }
        }
    }

    /// <summary>Runs a check now unless one is running (then waits for that one), whatever the interval; for tests and tools.</summary>
    public Task RefreshNowAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _refresh ??= Task.Run(RefreshAsync, CancellationToken.None);
            return _refresh.WaitAsync(cancellationToken);
        }
    }

    private Task? StartRefreshIfDue()
    {
        lock (_gate)
        {
            if (_refresh is not null)
            {
                return _refresh;
            }
            if (_lastCheck is { } last && _time.GetUtcNow() - last < CheckInterval)
            {
                return null;
            }
            return StartCheckLocked();
        }
    }

    /// <summary>Starts a check of latest.json now; the caller holds <see cref="_gate"/> and no check is running.</summary>
    private Task StartCheckLocked()
    {
        _lastCheck = _time.GetUtcNow();
        return _refresh = Task.Run(RefreshAsync, CancellationToken.None);
    }

    /// <summary>The refresh interval once a model is served; before that, at most <see cref="UnservedCheckInterval"/>.</summary>
    private TimeSpan CheckInterval =>
        Current is null && _options.RefreshInterval > UnservedCheckInterval ? UnservedCheckInterval : _options.RefreshInterval;

    private void OnPublished(LatestModel latest)
    {
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }
            _logger.LogInformation("Model {Version} was published by this process; checking latest.json now.", latest.Version);
            if (_refresh is not null)
            {
                // The running check may have read latest.json before the publish: check once more after it.
                _checkAgain = true;
                return;
            }
            StartCheckLocked();
        }
    }

    private async Task RefreshAsync()
    {
        var stopping = _stopping.Token;
        ETag? etag = null;
        string? downloadFolder = null;
        var previous = Current;
        try
        {
            etag = await _repository.GetLatestETagAsync(stopping).ConfigureAwait(false);
            if (etag is null)
            {
                if (previous is not null)
                {
                    _logger.LogWarning("latest.json is gone; still serving model {Version}.", previous.ModelVersion);
                }
                return;
            }
            if (etag == _currentETag || etag == _failedETag)
            {
                return;
            }
            var latest = await _repository.GetLatestAsync(stopping).ConfigureAwait(false);
            if (latest is null)
            {
                return;
            }
            if (previous is not null && previous.Published.Version == latest.Version && previous.Published.ManifestSha256 == latest.ManifestSha256)
            {
                // latest.json was rewritten with the same model (a promote of the served version).
                _currentETag = latest.ETag;
                return;
            }

            LoadAttempts++;
            var stopwatch = Stopwatch.StartNew();
            downloadFolder = Path.Combine(CacheFolder, latest.Version);
            var downloaded = await _repository.DownloadAsync(latest.Version, downloadFolder, stopping).ConfigureAwait(false);
            if (downloaded.ManifestSha256 != latest.ManifestSha256)
            {
                throw new ModelStorageException(
                    $"Version {latest.Version}: the downloaded manifest.json has SHA-256 {downloaded.ManifestSha256}, latest.json records {latest.ManifestSha256}.");
            }
            var engine = RecommendationEngine.Load(downloaded.Folder, _engineOptions);
            var served = new ServedModel(engine, latest, _time.GetUtcNow());
            lock (_gate)
            {
                if (_stopping.IsCancellationRequested)
                {
                    engine.Dispose();
                    return;
                }
                Volatile.Write(ref _current, served);
                _currentETag = latest.ETag;
            }
            ServingTelemetry.ModelSwapped(served.ModelVersion);
            _logger.LogInformation(
                "Serving model {Version} (published as {PublishedVersion} at {PublishedAt:o}): {Movies} movies, {Users} users, {Bytes} bytes loaded in {Milliseconds} ms{Replaced}.",
                served.ModelVersion, latest.Version, latest.PublishedAt, served.Manifest.MovieCount, served.Manifest.UserCount, downloaded.Bytes,
                stopwatch.ElapsedMilliseconds, previous is null ? "" : $", replacing {previous.ModelVersion}");
            if (previous is not null)
            {
                previous.Retire();
                DeleteFolder(Path.Combine(CacheFolder, previous.Published.Version), unless: downloaded.Folder);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception error) when (error is BundleValidationException or ModelStorageException)
        {
            _failedETag = etag;
            if (downloadFolder is not null)
            {
                DeleteFolder(downloadFolder, unless: previous is null ? null : Path.Combine(CacheFolder, previous.Published.Version));
            }
            _logger.LogError(error, "The published model could not be loaded and will not be retried until latest.json changes; {Serving}.",
                previous is null ? "no model is served" : $"model {previous.ModelVersion} keeps serving");
        }
        catch (Exception error)
        {
            _logger.LogWarning(error, "Checking for a new model failed (retried at the next check); {Serving}.",
                previous is null ? "no model is served" : $"model {previous.ModelVersion} keeps serving");
        }
        finally
        {
            lock (_gate)
            {
                _lastCheck = _time.GetUtcNow();
                var again = _checkAgain && !_stopping.IsCancellationRequested;
                _checkAgain = false;
                _refresh = again ? Task.Run(RefreshAsync, CancellationToken.None) : null;
            }
        }
    }

    private void DeleteFolder(string folder, string? unless)
    {
        if (unless is not null && string.Equals(Path.GetFullPath(folder), Path.GetFullPath(unless), StringComparison.Ordinal))
        {
            return;
        }
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning(error, "Could not delete the model cache folder {Folder}.", folder);
        }
    }

    public void Dispose()
    {
        ServedModel? current;
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }
            _stopping.Cancel();
            if (_publishedSignal is not null)
            {
                _publishedSignal.Published -= OnPublished;
            }
            current = _current;
            _current = null;
        }
        current?.Retire();
        DeleteFolder(CacheFolder, unless: null);
    }
}
