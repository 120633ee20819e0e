
namespace Recommender.Training.Models;

/// <summary>Everything needed to rebuild a <see cref="RecommenderNetwork"/> with the same parameters (saved as JSON).</summary>
public sealed record NetworkShape
{
    public required ModelKind Kind { get; init; }
    public required int UserCount { get; init; }
    public required int ItemCount { get; init; }
    public required int Dim { get; init; }
    public required int GraphLayers { get; init; }
    public required GraphConvolution Convolution { get; init; }
    public required int Hidden { get; init; }
    public required int LstmLayers { get; init; }
    public required double LstmDropout { get; init; }

    /// <summary>gcn-lstm: the last columns of E that belong to the sequence part (TrainingOptions.SequenceDim); 0 shares all.</summary>
    public int SequenceDim { get; init; }

    /// <summary>Sequence models: a first-order transition table T [ItemCount, Dim] adds T[last movie] to u (TrainingOptions.Transitions).</summary>
    public bool Transitions { get; init; }

    /// <summary>The graph encoder's width: Dim − SequenceDim.</summary>
    public int GraphDim => Dim - SequenceDim;

    /// <summary>Feature vocabularies (empty when the feature is unused); their sizes fix the projection shapes.</summary>
    public IReadOnlyList<string> Genres { get; init; } = [];
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyList<string> Demographics { get; init; } = [];

    /// <summary>Rating head size; 0 when the model has none.</summary>
    public int RatingDim { get; init; }

    /// <summary>The mean training rating, the rating head's offset.</summary>
    public float GlobalMeanRating { get; init; }

    public bool HasRatingHead => RatingDim > 0;
}
