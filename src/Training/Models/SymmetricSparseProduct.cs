using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Recommender.Training.Models;

/// <summary>
/// A · X for a symmetric sparse A (LightGCN's D^-1/2 A D^-1/2) with the gradient A · dY. libtorch's own backward of a
/// sparse COO product computes Aᵀ · dY, transposing and coalescing the 2·edges entries at every step; on an
/// ML-20M-sized graph (27 M entries) that took longer than the product itself. A stays outside the autograd graph.
/// </summary>
internal sealed class SymmetricSparseProduct : SingleTensorFunction<SymmetricSparseProduct>
{
    public override string Name => nameof(SymmetricSparseProduct);

    /// <summary>A · <paramref name="nodes"/>, A symmetric and constant.</summary>
    public static Tensor Of(Tensor adjacency, Tensor nodes) => apply(new Constant(adjacency), nodes);

    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var adjacency = ((Constant)vars[0]).Tensor;
        ctx.save_data(nameof(Constant), vars[0]);
        return mm(adjacency, (Tensor)vars[1]);
    }

    /// <summary>One gradient per argument of <see cref="forward"/>: none for A, A · dY for X.</summary>
    public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output) =>
        [null!, mm(((Constant)ctx.get_data(nameof(Constant))).Tensor, grad_output)];

    /// <summary>Holds A so that the autograd function does not take it for a differentiable input.</summary>
    private sealed record Constant(Tensor Tensor);
}
