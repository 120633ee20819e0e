using Recommender.Model.Data;
using Recommender.Training.Models;

namespace Recommender.Training.Trainers;

/// <summary>The network a model kind trains with these options on this training table and these side features.</summary>
internal static class NetworkShapes
{
    public static NetworkShape For(ModelKind kind, InteractionTable train, TrainingOptions options, SideFeatures features) =>
        new()
        {
            Kind = kind,
            UserCount = train.UserCount,
            ItemCount = train.ItemCount,
            Dim = options.Dim,
            GraphLayers = kind.UsesGraph() ? options.GraphLayers : 0,
            Convolution = options.Convolution,
            Hidden = options.Hidden,
            LstmLayers = options.LstmLayers,
            LstmDropout = options.LstmDropout,
            SequenceDim = kind == ModelKind.GcnLstm ? options.SequenceDim : 0,
            Transitions = kind.UsesSequence() && options.Transitions,
            Genres = features.Genres?.Vocabulary ?? [],
            Tags = features.Tags?.Vocabulary ?? [],
            Demographics = features.Demographics?.Vocabulary ?? [],
            RatingDim = kind.UsesGraph() && options.RatingLossWeight > 0 ? options.RatingDim : 0,
            GlobalMeanRating = RatingBaselines.MeanRating(train.Ratings),
        };
}
