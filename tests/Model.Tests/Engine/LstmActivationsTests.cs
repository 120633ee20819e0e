using System.Runtime.Intrinsics;
using Recommender.Model.Engine;

namespace Recommender.Model.Tests.Engine;

public class LstmActivationsTests
{
    /// <summary>Every 1e-4 over [-40, 40] (beyond both clamps) plus the infinities, eight lanes at a time.</summary>
    private static IEnumerable<float[]> Arguments()
    {
        var values = Enumerable.Range(-400_000, 800_001).Select(step => step * 1e-4f)
            .Concat([float.NegativeInfinity, float.PositiveInfinity, -0f, 1e-30f, -1e-30f]).ToArray();
        for (var start = 0; start < values.Length; start += 8)
        {
            var lanes = new float[8];
            values.AsSpan(start, Math.Min(8, values.Length - start)).CopyTo(lanes);
            yield return lanes;
        }
    }

    [Fact]
    public void VectorSigmoidAndTanh_AreWithinTwoTenthsOfAMillionthOfTheExactFunctions()
    {
        double sigmoidError = 0, tanhError = 0;
        foreach (var lanes in Arguments())
        {
            var sigmoid = LstmActivations.Sigmoid(Vector256.Create(lanes));
            var tanh = LstmActivations.Tanh(Vector256.Create(lanes));
            for (var lane = 0; lane < 8; lane++)
            {
                double x = lanes[lane];
                sigmoidError = Math.Max(sigmoidError, Math.Abs(sigmoid[lane] - 1 / (1 + Math.Exp(-x))));
                tanhError = Math.Max(tanhError, Math.Abs(tanh[lane] - Math.Tanh(x)));
            }
        }

        Assert.True(sigmoidError <= 2e-7, $"max |sigmoid error| = {sigmoidError:E2}");
        Assert.True(tanhError <= 2e-7, $"max |tanh error| = {tanhError:E2}");
    }

    [Fact]
    public void SpanSigmoid_MatchesTheVectorAndScalarForms()
    {
        var values = Enumerable.Range(0, 21).Select(i => i - 10.5f).ToArray();
        var expected = values.Select(value => 1 / (1 + Math.Exp(-value))).ToArray();

        LstmActivations.Sigmoid(values);

        // 21 values: two full vectors and five scalars.
        Assert.All(values.Zip(expected), pair => Assert.Equal(pair.Second, pair.First, 2e-7));
    }
}
