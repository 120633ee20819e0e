namespace Recommender.Training.Tests.Models;

/// <summary>
/// Tests that use TorchSharp run one at a time: torch's random generator, seed and thread count are process-wide,
/// so a test running alongside a training would change the training's random draws.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    public const string Name = "TorchSharp";
}
