using System.Numerics.Tensors;
using Recommender.Training.Export;

namespace Recommender.Training.Tests.Export;

/// <summary>
/// A direct double-precision implementation of the inference contract (docs/architecture.md) from PyTorch-layout weights,
/// independent of the ONNX graph: the yardstick for the exported graph.
/// </summary>
internal sealed class ReferenceGcnLstm
{
    private readonly GcnLstmInferenceWeights _weights;
    private readonly double[][] _weightIh;
    private readonly double[][] _weightHh;
    private readonly double[][] _bias;
    private readonly double[] _projection;
    private readonly double[] _gate;

    public ReferenceGcnLstm(GcnLstmInferenceWeights weights)
    {
        _weights = weights;
        _weightIh = [.. weights.Lstm.Select(layer => ToDouble(layer.WeightIh))];
        _weightHh = [.. weights.Lstm.Select(layer => ToDouble(layer.WeightHh))];
        _bias = [.. weights.Lstm.Select(layer => layer.BiasIh.Zip(layer.BiasHh, (a, b) => (double)a + b).ToArray())];
        _projection = ToDouble(weights.ProjectionWeight);
        _gate = ToDouble(weights.GateWeight);
    }

    /// <summary>u for a non-empty history (movie indices, oldest first) and graph part g.</summary>
    public double[] UserVector(IReadOnlyList<int> history, ReadOnlySpan<float> graphVector)
    {
        int dim = _weights.Dim, hidden = _weights.Hidden;
        var sequence = history.Select(item => ToDouble(_weights.MovieTable.AsSpan(item * dim, dim).ToArray())).ToArray();
        for (var layer = 0; layer < _weights.Layers; layer++)
        {
            sequence = RunLayer(layer, sequence, hidden);
        }
        var h = sequence[^1];

        var s = new double[dim];
        for (var row = 0; row < dim; row++)
        {
            s[row] = TensorPrimitives.Dot<double>(_projection.AsSpan(row * hidden, hidden), h) + _weights.ProjectionBias[row];
        }
        var g = ToDouble(graphVector.ToArray());
        double[] gateInput = [.. g, .. s];
        var u = new double[dim];
        for (var row = 0; row < dim; row++)
        {
            var z = Sigmoid(TensorPrimitives.Dot<double>(_gate.AsSpan(row * 2 * dim, 2 * dim), gateInput) + _weights.GateBias[row]);
            u[row] = z * g[row] + (1 - z) * s[row] + (_weights.TransitionTable?[history[^1] * dim + row] ?? 0);
        }
        return u;
    }

    /// <summary>One unidirectional LSTM layer from zero state, PyTorch gate order i, f, g, o.</summary>
    private double[][] RunLayer(int layer, double[][] inputs, int hidden)
    {
        var inputSize = inputs[0].Length;
        var h = new double[hidden];
        var c = new double[hidden];
        var gates = new double[4 * hidden];
        var outputs = new double[inputs.Length][];
        for (var t = 0; t < inputs.Length; t++)
        {
            for (var row = 0; row < 4 * hidden; row++)
            {
                gates[row] = TensorPrimitives.Dot<double>(_weightIh[layer].AsSpan(row * inputSize, inputSize), inputs[t])
                    + TensorPrimitives.Dot<double>(_weightHh[layer].AsSpan(row * hidden, hidden), h)
                    + _bias[layer][row];
            }
            var next = new double[hidden];
            for (var j = 0; j < hidden; j++)
            {
                var input = Sigmoid(gates[j]);
                var forget = Sigmoid(gates[hidden + j]);
                var cell = Math.Tanh(gates[2 * hidden + j]);
                var output = Sigmoid(gates[3 * hidden + j]);
                c[j] = forget * c[j] + input * cell;
                next[j] = output * Math.Tanh(c[j]);
            }
            h = next;
            outputs[t] = next;
        }
        return outputs;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double[] ToDouble(float[] values) => [.. values.Select(value => (double)value)];
}
