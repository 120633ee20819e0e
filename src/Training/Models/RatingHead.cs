using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Recommender.Training.Models;

/// <summary>
/// Explicit rating for (user, movie): r = μ + b_user + b_movie + (P·g_user) · (Q·e_movie), on the final graph
/// embeddings; μ is the mean training rating.
/// </summary>
internal sealed class RatingHead : nn.Module
{
    private readonly Embedding userBias;
    private readonly Embedding itemBias;
    private readonly Linear userMap;
    private readonly Linear itemMap;
    private readonly float _mean;

    public RatingHead(NetworkShape shape) : base(nameof(RatingHead))
    {
        _mean = shape.GlobalMeanRating;
        userBias = nn.Embedding(shape.UserCount, 1);
        itemBias = nn.Embedding(shape.ItemCount, 1);
        nn.init.zeros_(userBias.weight!);
        nn.init.zeros_(itemBias.weight!);
        userMap = nn.Linear(shape.GraphDim, shape.RatingDim, hasBias: false);
        itemMap = nn.Linear(shape.GraphDim, shape.RatingDim, hasBias: false);
        RegisterComponents();
    }

    /// <summary>Sets the biases (typically to regularised baseline estimates so training starts near a good fit).</summary>
    public void InitialiseBiases(float[] userBiases, float[] itemBiases)
    {
        using var noGrad = no_grad();
        userBias.weight!.copy_(tensor(userBiases).view(-1, 1));
        itemBias.weight!.copy_(tensor(itemBiases).view(-1, 1));
    }

    /// <summary>
    /// Ratings [M] for users [M] and movies [M] with their rows of G and E [M, D]; only the graph's columns count (the
    /// sequence part's own columns of E are trained for what comes next, not for how much it is liked).
    /// </summary>
    public Tensor Predict(Tensor users, Tensor items, Tensor userEmbeddings, Tensor itemEmbeddings)
    {
        var graphDim = userMap.weight!.shape[1];
        var interaction = (userMap.call(userEmbeddings.narrow(-1, 0, graphDim)) * itemMap.call(itemEmbeddings.narrow(-1, 0, graphDim))).sum(-1);
        return interaction + userBias.call(users).squeeze(-1) + itemBias.call(items).squeeze(-1) + _mean;
    }
}
