using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Recommender.Training.Models;

/// <summary>
/// LSTM over a right-padded batch of movie-embedding sequences [B, T, D] followed by the projection s = Ws·h + bs
/// at every step. The LSTM is causal, so the state at a valid step never depends on the padding after it.
/// </summary>
internal sealed class SequenceEncoder : nn.Module
{
    private readonly LSTM lstm;
    private readonly Linear projection;

    public SequenceEncoder(NetworkShape shape) : base(nameof(SequenceEncoder))
    {
        lstm = nn.LSTM(shape.Dim, shape.Hidden, shape.LstmLayers, batchFirst: true, dropout: shape.LstmLayers > 1 ? shape.LstmDropout : 0);
        projection = nn.Linear(shape.Hidden, shape.Dim);
        RegisterComponents();
    }

    /// <summary>s at every step: [B, T, D].</summary>
    public Tensor Encode(Tensor inputs)
    {
        var (output, hidden, cell) = lstm.call(inputs);
        hidden.Dispose();
        cell.Dispose();
        return projection.call(output);
    }

    /// <summary>s at each sequence's last valid step: [B, D]; <paramref name="lengths"/> [B] must be positive.</summary>
    public Tensor EncodeLast(Tensor inputs, Tensor lengths)
    {
        var states = Encode(inputs);
        var last = (lengths - 1).view(-1, 1, 1).expand(-1, 1, states.shape[2]);
        return states.gather(1, last).squeeze(1);
    }

    public LSTM Lstm => lstm;
    public Linear Projection => projection;
}
