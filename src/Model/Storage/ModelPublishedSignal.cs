namespace Recommender.Model.Storage;

/// <summary>
/// Tells the serving side of this process that a model was just published, so that it loads it at once instead of
/// noticing it at its next latest.json check. One instance per process, shared by whoever publishes and whoever serves.
/// </summary>
public sealed class ModelPublishedSignal
{
    public event Action<LatestModel>? Published;

    public void Notify(LatestModel latest)
    {
        ArgumentNullException.ThrowIfNull(latest);
        Published?.Invoke(latest);
    }
}
