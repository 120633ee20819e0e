using Recommender.Model.Bundle;
using Recommender.Model.Engine;
using Recommender.Model.Storage;

namespace Recommender.Model.Serving;

/// <summary>
/// A loaded, verified model as served: the engine, its manifest and the latest.json entry it was published under.
/// Requests hold it through a <see cref="ModelLease"/>; once a newer model replaces it, the engine is disposed when
/// the last lease ends, so no request ever runs on a disposed engine.
/// </summary>
public sealed class ServedModel
{
    private readonly Lock _gate = new();
    private int _leases;
    private bool _retired;
    private bool _disposed;

    public ServedModel(RecommendationEngine engine, LatestModel published, DateTimeOffset loadedAt)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(published);
        Engine = engine;
        Published = published;
        LoadedAt = loadedAt;
    }

    public RecommendationEngine Engine { get; }
    public BundleManifest Manifest => Engine.Bundle.Manifest;

    /// <summary>The model version the results carry (the manifest's).</summary>
    public string ModelVersion => Engine.ModelVersion;

    public LatestModel Published { get; }
    public DateTimeOffset LoadedAt { get; }

    /// <summary>False once the model was retired and its engine disposed.</summary>
    internal bool TryAcquire()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }
            _leases++;
            return true;
        }
    }

    internal void Release()
    {
        lock (_gate)
        {
            _leases--;
            DisposeIfUnused();
        }
    }

    /// <summary>No new leases after the current ones end; the engine is disposed then.</summary>
    internal void Retire()
    {
        lock (_gate)
        {
            _retired = true;
            DisposeIfUnused();
        }
    }

    private void DisposeIfUnused()
    {
        if (_retired && _leases == 0 && !_disposed)
        {
            _disposed = true;
            Engine.Dispose();
        }
    }
}

/// <summary>A request's hold on a <see cref="ServedModel"/>; dispose it when the request is done with the engine.</summary>
public sealed class ModelLease : IDisposable
{
    private int _released;

    internal ModelLease(ServedModel model) => Model = model;

    public ServedModel Model { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Model.Release();
        }
    }
}
