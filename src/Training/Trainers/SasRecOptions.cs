namespace Recommender.Training.Trainers;

/// <summary>
/// SASRec's own hyper-parameters, defaulting to RecBole's (attention dropout 0.2). The shared settings (seed, device,
/// threads, L = MaxHistory, epochs, patience) come from <see cref="TrainingOptions"/>.
/// </summary>
public sealed record SasRecOptions
{
    public int Blocks { get; init; } = 2;
    public int Heads { get; init; } = 2;

    /// <summary>Width of the item embeddings and the hidden states; must be a multiple of <see cref="Heads"/>.</summary>
    public int Hidden { get; init; } = 64;

    /// <summary>Inner width of the feed-forward layers.</summary>
    public int Inner { get; init; } = 256;

    /// <summary>Dropout on the embeddings and on the attention and feed-forward outputs.</summary>
    public double HiddenDropout { get; init; } = 0.5;

    /// <summary>Dropout on the attention weights.</summary>
    public double AttentionDropout { get; init; } = 0.2;

    public double LearningRate { get; init; } = 1e-3;

    /// <summary>
    /// The full-catalogue softmax up to this many movies (RecBole's CE loss; ml-100k has 1,682), the sampled softmax of
    /// TrainingOptions.SampledNegatives above: on ml-latest-small (9,724) the full one took 80–140 s an epoch here.
    /// </summary>
    public int FullSoftmaxMaxItems { get; init; } = 2000;

    /// <summary>History windows (each up to L positions) per step; bounds the [positions, N] logits of a step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        static void Require(bool condition, string field, string rule)
        {
            if (!condition)
            {
                throw new ArgumentException($"SasRecOptions.{field} {rule}.", field);
            }
        }
        Require(Blocks > 0, nameof(Blocks), "must be positive");
        Require(Heads > 0, nameof(Heads), "must be positive");
        Require(Hidden > 0 && Hidden % Math.Max(1, Heads) == 0, nameof(Hidden), "must be a positive multiple of Heads");
        Require(Inner > 0, nameof(Inner), "must be positive");
        Require(HiddenDropout is >= 0 and < 1, nameof(HiddenDropout), "must be in [0, 1)");
        Require(AttentionDropout is >= 0 and < 1, nameof(AttentionDropout), "must be in [0, 1)");
        Require(LearningRate > 0, nameof(LearningRate), "must be positive");
        Require(BatchSize > 0, nameof(BatchSize), "must be positive");
        Require(FullSoftmaxMaxItems >= 0, nameof(FullSoftmaxMaxItems), "must not be negative");
    }
}
