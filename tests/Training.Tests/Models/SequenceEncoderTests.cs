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
        // The same float32 LSTM on the same valid steps; only the batch around them changes, which may change the
        // kernel's blocking and so the last bits of states of magnitude < 1.
        Approx.AllEqual(Floats(lastWithOtherPadding[0]), Floats(last[0]), rel: 0, abs: 1e-6, "short sequence with other padding");
        Approx.AllEqual(Floats(alone[0]), Floats(last[0]), rel: 0, abs: 1e-6, "short sequence in a padded batch against alone");
        Approx.AllEqual(Floats(states[0][2]), Floats(last[0]), rel: 0, abs: 1e-6, "gathered state against step 3 of the short sequence");
        Approx.AllEqual(Floats(states[1][5]), Floats(last[1]), rel: 0, abs: 1e-6, "gathered state against step 6 of the long sequence");
        Assert.True((last[0] - states[0][5]).abs().max().item<float>() > 1e-3f, "the test cannot tell steps apart");
    }

    private static float[] Floats(Tensor tensor) => tensor.contiguous().data<float>().ToArray();
}
