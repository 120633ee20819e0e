namespace Recommender.Training.Models;

/// <summary>Graph convolution variant.</summary>
public enum GraphConvolution
{
    /// <summary>Symmetric normalised propagation without weights or non-linearity; the layer outputs are averaged.</summary>
    LightGcn,

    /// <summary>GraphSAGE: mean of the neighbours concatenated with self, linear map, non-linearity.</summary>
    Sage,
}
