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

    /// <summary>Sets every bias of the gate: a positive value starts training with u close to g.</summary>
    public void InitialiseBias(double bias)
    {
        using var noGrad = no_grad();
        gate.bias!.fill_(bias);
    }

    public Linear Gate => gate;
}
