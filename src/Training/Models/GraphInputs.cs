using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Models;

/// <summary>
/// The fixed (non-trainable) tensors the graph encoder reads: the normalised adjacency for the configured convolution
/// and the sparse, row-normalised side-feature matrices. Owned here, not by the module, so they are never saved.
/// </summary>
internal sealed class GraphInputs : IDisposable
{
    /// <summary>The normalised adjacency as a COO tensor: GraphSAGE's mean, or LightGCN's off the CPU.</summary>
    public Tensor? Adjacency { get; init; }
    /// <summary>LightGCN's symmetric adjacency on the CPU, where <see cref="CsrMatrix"/>'s product is the faster one.</summary>
    public CsrMatrix? SymmetricCsr { get; init; }
    public Tensor? Genres { get; init; }
    public Tensor? Tags { get; init; }
    public Tensor? Demographics { get; init; }

    public static GraphInputs Create(NetworkShape shape, InteractionGraph? graph, SideFeatures features, Device device)
    {
        Tensor? adjacency = null;
        CsrMatrix? symmetricCsr = null;
        if (graph is not null && shape.GraphLayers > 0)
        {
            if (shape.Convolution != GraphConvolution.LightGcn)
            {
                adjacency = graph.MeanAdjacency(device);
            }
            else if (device.type == DeviceType.CPU)
            {
                symmetricCsr = graph.SymmetricCsr();
            }
            else
            {
                adjacency = graph.SymmetricAdjacency(device);
            }
        }
        return new GraphInputs
        {
            Adjacency = adjacency,
            SymmetricCsr = symmetricCsr,
            Genres = shape.Genres.Count > 0 ? ToSparse(features.Genres!, device) : null,
            Tags = shape.Tags.Count > 0 ? ToSparse(features.Tags!, device) : null,
            Demographics = shape.Demographics.Count > 0 ? ToSparse(features.Demographics!, device) : null,
        };
    }

    private static Tensor ToSparse(FeatureMatrix matrix, Device device)
    {
        using var scope = NewDisposeScope();
        var count = matrix.Values.Length;
        var indices = new long[2 * count];
        for (var i = 0; i < count; i++)
        {
            indices[i] = matrix.RowIndices[i];
            indices[count + i] = matrix.ColumnIndices[i];
        }
        var sparse = sparse_coo_tensor(
            tensor(indices, [2, count], ScalarType.Int64),
            tensor(matrix.Values, [count], ScalarType.Float32),
            [matrix.Rows, matrix.Columns]).to(device);
        return sparse.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        Adjacency?.Dispose();
        Genres?.Dispose();
        Tags?.Dispose();
        Demographics?.Dispose();
    }
}
