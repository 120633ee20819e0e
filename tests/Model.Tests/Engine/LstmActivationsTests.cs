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
        var arguments = Arguments().ToArray();
        var sigmoid = new float[arguments.Length * 8];
        var tanh = new float[arguments.Length * 8];
        for (var i = 0; i < arguments.Length; i++)
        {
            LstmActivations.Sigmoid(Vector256.Create(arguments[i])).CopyTo(sigmoid, i * 8);
            LstmActivations.Tanh(Vector256.Create(arguments[i])).CopyTo(tanh, i * 8);
        }
        var x = arguments.SelectMany(lanes => lanes).Select(value => (double)value).ToArray();

        Approx.AllEqual([.. x.Select(value => 1 / (1 + Math.Exp(-value)))], sigmoid, rel: 0, abs: 2e-7, "vector sigmoid against the exact function");
        Approx.AllEqual([.. x.Select(Math.Tanh)], tanh, rel: 0, abs: 2e-7, "vector tanh against the exact function");
    }

    [Fact]
    public void SpanSigmoid_MatchesTheVectorAndScalarForms()
    {
        var values = Enumerable.Range(0, 21).Select(i => i - 10.5f).ToArray();
        var expected = values.Select(value => 1 / (1 + Math.Exp(-value))).ToArray();

        LstmActivations.Sigmoid(values);

        // 21 values: two full vectors and five scalars.
        Approx.AllEqual(expected, values, rel: 0, abs: 2e-7, "span sigmoid against the exact function");
    }
}
