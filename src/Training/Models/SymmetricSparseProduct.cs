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

    /// <summary>A · <paramref name="nodes"/>, A a symmetric constant sparse COO tensor (any device).</summary>
    public static Tensor Of(Tensor adjacency, Tensor nodes) => apply(new Constant(dense => mm(adjacency, dense)), nodes);

    /// <summary>A · <paramref name="nodes"/>, A a symmetric constant matrix on the CPU.</summary>
    public static Tensor Of(CsrMatrix adjacency, Tensor nodes) => apply(new Constant(adjacency.Multiply), nodes);

    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var adjacency = (Constant)vars[0];
        ctx.save_data(nameof(Constant), adjacency);
        return adjacency.Multiply((Tensor)vars[1]);
    }

    /// <summary>One gradient per argument of <see cref="forward"/>: none for A, A · dY for X.</summary>
    public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output) =>
        [null!, ((Constant)ctx.get_data(nameof(Constant))).Multiply(grad_output)];

    /// <summary>Holds A's product so that the autograd function does not take A for a differentiable input.</summary>
    private sealed record Constant(Func<Tensor, Tensor> Multiply);
}
