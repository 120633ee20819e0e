using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Recommender.Training.Models;

/// <summary>
/// Node inputs (learned id embeddings plus projected side features) followed by K graph convolution layers over the
/// whole user–movie graph. With K = 0 it reduces to the node inputs (matrix factorisation, or the item table of the
/// sequence-only model). Users are optional: the sequence-only model has no user nodes.
/// </summary>
internal sealed class GraphEncoder : nn.Module
{
    private readonly Embedding? userIds;
    private readonly Embedding itemIds;
    private readonly Parameter? genreWeight;
    private readonly Parameter? tagWeight;
    private readonly Parameter? demographicWeight;
    private readonly ModuleList<Linear>? sageLayers;
    private readonly int _layers;
    private readonly GraphConvolution _convolution;

    public GraphEncoder(NetworkShape shape, double initStd) : base(nameof(GraphEncoder))
    {
        _layers = shape.GraphLayers;
        _convolution = shape.Convolution;
        if (shape.Kind.HasUserEmbeddings())
        {
            userIds = nn.Embedding(shape.UserCount, shape.GraphDim);
            nn.init.normal_(userIds.weight!, 0, initStd);
        }
        itemIds = nn.Embedding(shape.ItemCount, shape.GraphDim);
        nn.init.normal_(itemIds.weight!, 0, initStd);
        genreWeight = FeatureWeight(shape.Genres.Count, shape.GraphDim, initStd);
        tagWeight = FeatureWeight(shape.Tags.Count, shape.GraphDim, initStd);
        demographicWeight = userIds is null ? null : FeatureWeight(shape.Demographics.Count, shape.GraphDim, initStd);
        if (_convolution == GraphConvolution.Sage && _layers > 0)
        {
            sageLayers = new ModuleList<Linear>();
            for (var layer = 0; layer < _layers; layer++)
            {
                sageLayers.Add(nn.Linear(2 * shape.GraphDim, shape.GraphDim));
            }
        }
        RegisterComponents();
    }

    /// <summary>Layer-0 user embeddings (id + demographics), or null without users.</summary>
    public Tensor? UserInputs(GraphInputs inputs)
    {
        if (userIds is null)
        {
            return null;
        }
        var users = userIds.weight!.alias();
        if (demographicWeight is not null && inputs.Demographics is not null)
        {
            users = users + mm(inputs.Demographics, demographicWeight);
        }
        return users;
    }

    /// <summary>Layer-0 movie embeddings (id + genres + tags).</summary>
    public Tensor ItemInputs(GraphInputs inputs)
    {
        var items = itemIds.weight!.alias();
        if (genreWeight is not null && inputs.Genres is not null)
        {
            items = items + mm(inputs.Genres, genreWeight);
        }
        if (tagWeight is not null && inputs.Tags is not null)
        {
            items = items + mm(inputs.Tags, tagWeight);
        }
        return items;
    }

    /// <summary>
    /// The final user [U, D] (null without users) and movie [N, D] embeddings. With <paramref name="neighbourhood"/>
    /// (LightGCN only: Σ_k A^k·X₀ for k ≥ 1, detached, as <paramref name="keptNeighbourhood"/> gave it on an earlier
    /// step) the propagation is not run again: the embeddings are (X₀ + neighbourhood) / (K + 1) with the current X₀,
    /// so the gradient reaches the layer-0 embeddings through their own term only.
    /// </summary>
    public (Tensor? Users, Tensor Items) Encode(GraphInputs inputs, Tensor? neighbourhood = null, Action<Tensor>? keptNeighbourhood = null)
    {
        var users = UserInputs(inputs);
        var items = ItemInputs(inputs);
        if (_layers == 0 || users is null)
        {
            return (users, items);
        }
        if (inputs.Adjacency is null && inputs.SymmetricCsr is null)
        {
            throw new InvalidOperationException("The graph encoder has convolution layers but no adjacency was given.");
        }
        var userCount = users.shape[0];
        var nodes = cat([users, items], 0);
        if (_convolution == GraphConvolution.LightGcn)
        {
            if (neighbourhood is null)
            {
                var current = nodes;
                for (var layer = 0; layer < _layers; layer++)
                {
                    current = inputs.SymmetricCsr is { } csr
                        ? SymmetricSparseProduct.Of(csr, current)
                        : SymmetricSparseProduct.Of(inputs.Adjacency!, current);
                    neighbourhood = neighbourhood is null ? current : neighbourhood + current;
                }
                keptNeighbourhood?.Invoke(neighbourhood!.detach());
            }
            nodes = (nodes + neighbourhood!) / (_layers + 1);
        }
        else
        {
            if (neighbourhood is not null)
            {
                throw new InvalidOperationException("Only LightGCN's propagation can be reused between steps.");
            }
            for (var layer = 0; layer < _layers; layer++)
            {
                var neighbours = mm(inputs.Adjacency!, nodes);
                nodes = tanh(sageLayers![layer].call(cat([nodes, neighbours], 1)));
            }
        }
        return (nodes.narrow(0, 0, userCount), nodes.narrow(0, userCount, nodes.shape[0] - userCount));
    }

    /// <summary>Id embedding rows, for the L2 penalty on the rows a step uses.</summary>
    public Tensor? UserIdWeight => userIds?.weight;
    public Tensor ItemIdWeight => itemIds.weight!;

    private static Parameter? FeatureWeight(int features, int dim, double initStd)
    {
        if (features == 0)
        {
            return null;
        }
        var weight = new Parameter(empty(features, dim));
        nn.init.normal_(weight, 0, initStd);
        return weight;
    }
}
