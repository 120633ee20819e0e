using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Recommender.Training.Models;

/// <summary>z = sigmoid(Wz·[g ; s] + bz); u = z ⊙ g + (1 − z) ⊙ s (docs/architecture.md).</summary>
internal sealed class FusionGate : nn.Module
{
    private readonly Linear gate;

    public FusionGate(int dim) : base(nameof(FusionGate))
    {
        gate = nn.Linear(2 * dim, dim);
        RegisterComponents();
    }

    /// <summary><paramref name="graph"/> and <paramref name="sequence"/> have the same shape [..., D].</summary>
    public Tensor Fuse(Tensor graph, Tensor sequence)
    {
        var z = sigmoid(gate.call(cat([graph, sequence], -1)));
        return z * graph + (1 - z) * sequence;
    }

    /// <summary>
    /// Sets the gate's biases: <paramref name="bias"/> on the first <paramref name="graphDims"/> dimensions and its
    /// negation on the rest (the sequence part's own columns). A positive value starts training with u close to g
    /// on the graph's dimensions and to s on the sequence part's.
    /// </summary>
    public void InitialiseBias(double bias, int graphDims)
    {
        using var noGrad = no_grad();
        gate.bias!.fill_(bias);
        var dims = gate.bias.shape[0];
        if (graphDims < dims)
        {
            gate.bias.narrow(0, graphDims, dims - graphDims).fill_(-bias);
        }
    }

    public Linear Gate => gate;
}
