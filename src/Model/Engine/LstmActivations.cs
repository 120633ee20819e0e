using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recommender.Model.Engine;

/// <summary>
/// Sigmoid and tanh for the LSTM cell, 8 lanes at a time, to within about 1e-7 absolute of the exact functions (the
/// graph's outputs are compared with ONNX Runtime's at 1e-5). Both come from one exp: x·log2(e) is rounded to an integer
/// n by adding a shift constant, r = x − n·ln2 (|r| ≤ ln2/2, Cody-Waite), e^r from a degree-5 polynomial, and 2^n from
/// the exponent bits. The polynomial was fitted to minimise the maximum relative error on [−ln2/2, ln2/2] (Lawson's
/// iteratively reweighted least squares): 7.5e-8 in exact arithmetic, 2.1e-7 evaluated in float32.
/// <see cref="System.Numerics.Tensors.TensorPrimitives"/> is more exact but several times slower, and these run five
/// times per hidden unit and step.
/// </summary>
internal static class LstmActivations
{
    /// <summary>|x| beyond which σ(x) is 0 or 1 to within 1e-13; keeps exp(−x) finite.</summary>
    private const float SigmoidLimit = 30f;

    /// <summary>|x| beyond which tanh(x) rounds to ±1 in float32; keeps exp(2x) finite.</summary>
    private const float TanhLimit = 10f;

    private const float Log2E = 1.44269504088896341f;

    /// <summary>
    /// 1.5·2^23 + 127: the sum with x·log2(e) (|x| ≤ 60) is a float whose unit is 1, so it rounds x·log2(e) to the
    /// nearest integer n and holds n + 127, the biased exponent of 2^n, in its low mantissa bits.
    /// </summary>
    private const float RoundingShift = 12583039f;

    // ln 2 split so that n · Ln2High is exact for |n| < 2^9: Ln2High has 9 significant bits.
    private const float Ln2High = 0.693359375f;
    private const float Ln2Low = -2.12194440e-4f;

    private const float C0 = 1.000000119e+00f, C1 = 9.999997020e-01f, C2 = 4.999889433e-01f;
    private const float C3 = 1.666757464e-01f, C4 = 4.191538319e-02f, C5 = 8.297652006e-03f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x)
    {
        var clamped = Vector256.ClampNative(x, Vector256.Create(-SigmoidLimit), Vector256.Create(SigmoidLimit));
        return Vector256<float>.One / (Vector256<float>.One + Exp(-clamped));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var clamped = Vector256.ClampNative(x, Vector256.Create(-TanhLimit), Vector256.Create(TanhLimit));
        var e = Exp(clamped + clamped);
        return (e - Vector256<float>.One) / (e + Vector256<float>.One);
    }

    /// <summary>σ in place.</summary>
    public static void Sigmoid(Span<float> values)
    {
        ref var start = ref MemoryMarshal.GetReference(values);
        var index = 0;
        for (; index + 8 <= values.Length; index += 8)
        {
            Sigmoid(Vector256.LoadUnsafe(ref start, (nuint)index)).StoreUnsafe(ref start, (nuint)index);
        }
        for (; index < values.Length; index++)
        {
            values[index] = Sigmoid(values[index]);
        }
    }

    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-Math.Clamp(x, -SigmoidLimit, SigmoidLimit)));

    public static float Tanh(float x)
    {
        var e = MathF.Exp(2f * Math.Clamp(x, -TanhLimit, TanhLimit));
        return (e - 1f) / (e + 1f);
    }

    /// <summary>e^x for |x| ≤ 30 (the clamped arguments above), well inside float32's normal range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Exp(Vector256<float> x)
    {
        var shifted = Vector256.MultiplyAddEstimate(x, Vector256.Create(Log2E), Vector256.Create(RoundingShift));
        var n = shifted - Vector256.Create(RoundingShift);
        var r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2High), x);
        r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2Low), r);
        var p = Vector256.MultiplyAddEstimate(Vector256.Create(C5), r, Vector256.Create(C4));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(C3));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(C2));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(C1));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(C0));
        var twoToN = Vector256.ShiftLeft(shifted.AsInt32(), 23).AsSingle();
        return p * twoToN;
    }
}
