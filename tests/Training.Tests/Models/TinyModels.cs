using Recommender.Training.Models;
using Recommender.Training.Trainers;

namespace Recommender.Training.Tests.Models;

/// <summary>Small, fast settings shared by the model tests.</summary>
internal static class TinyModels
{
    public static TrainingOptions Options { get; } = new()
    {
        Dim = 16,
        Hidden = 16,
        LstmLayers = 2,
        GraphLayers = 2,
        MaxHistory = 12,
        UserBatchSize = 16,
        MaxEpochs = 3,
        GraphWarmupEpochs = 2,
        Patience = 3,
        LearningRate = 0.01,
        RatingDim = 4,
        Threads = 1,
    };

    public static NetworkShape Shape(ModelKind kind, int users, int items) => new()
    {
        Kind = kind,
        UserCount = users,
        ItemCount = items,
        Dim = 8,
        GraphLayers = 2,
        Convolution = GraphConvolution.LightGcn,
        Hidden = 12,
        LstmLayers = 2,
        LstmDropout = 0,
    };
}
