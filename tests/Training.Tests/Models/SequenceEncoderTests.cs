using Recommender.Training.Models;
using Recommender.Training.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Tests.Models;

[Collection(TorchCollection.Name)]
public sealed class SequenceEncoderTests
{
    [Fact]
    public void States_have_one_vector_per_step_and_the_last_valid_step_ignores_padding()
    {
        TorchRuntime.Initialize(TinyModels.Options);
        using var encoder = new SequenceEncoder(TinyModels.Shape(ModelKind.GcnLstm, users: 3, items: 10));
        encoder.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var inputs = randn(2, 6, 8);
        var lengths = tensor(new long[] { 3, 6 });

        var states = encoder.Encode(inputs);
        var last = encoder.EncodeLast(inputs, lengths);
        var otherPadding = cat([inputs.narrow(1, 0, 3), randn(2, 3, 8) * 10], 1);
        otherPadding = cat([otherPadding.narrow(0, 0, 1), inputs.narrow(0, 1, 1)], 0);
        var lastWithOtherPadding = encoder.EncodeLast(otherPadding, lengths);
        var alone = encoder.EncodeLast(inputs.narrow(0, 0, 1).narrow(1, 0, 3), tensor(new long[] { 3 }));

        Assert.Equal([2L, 6L, 8L], states.shape);
        Assert.Equal([2L, 8L], last.shape);
        Assert.True(last[0].allclose(lastWithOtherPadding[0], rtol: 0, atol: 1e-6), "padding changed the state of the short sequence");
        Assert.True(last[0].allclose(alone[0], rtol: 0, atol: 1e-6), "a padded batch differs from the sequence alone");
        Assert.True(last[0].allclose(states[0][2], rtol: 0, atol: 1e-6), "the last valid step was not the one gathered");
        Assert.True(last[1].allclose(states[1][5], rtol: 0, atol: 1e-6));
        Assert.False(last[0].allclose(states[0][5], rtol: 0, atol: 1e-6), "the test cannot tell steps apart");
    }
}
