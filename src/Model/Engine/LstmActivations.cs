using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recommender.Model.Engine;

/// <summary>
/// Sigmoid and tanh for the LSTM cell, 8 lanes at a time, to within a few 1e-8 absolute of the exact functions (the
/// graph's outputs are compared with ONNX Runtime's at 1e-5). Both come from one exp: Cody-Waite reduction
/// x = n·ln2 + r, |r| ≤ ln2/2, then the degree-7 Taylor polynomial of e^r (truncation error below 6e-9 relative),
/// scaled by 2^n through the exponent bits. <see cref="System.Numerics.Tensors.TensorPrimitives"/> computes these
/// more exactly but several times slower, and they dominate a step otherwise.
/// </summary>
internal static class LstmActivations
{
    /// <summary>|x| beyond which σ(x) is 0 or 1 to within 1e-13; keeps exp(−x) finite.</summary>
    private const float SigmoidLimit = 30f;

    /// <summary>|x| beyond which tanh(x) rounds to ±1 in float32; keeps exp(2x) finite.</summary>
    private const float TanhLimit = 10f;

    private const float Log2E = 1.44269504088896341f;
    // ln 2 split so that n · Ln2High is exact for the n that occur (|n| < 2^9): Ln2High has 9 significant bits.
    private const float Ln2High = 0.693359375f;
    private const float Ln2Low = -2.12194440e-4f;

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
        var n = Vector256.Round(x * Vector256.Create(Log2E));
        var r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2High), x);
        r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2Low), r);
        var p = Vector256.Create(1f / 5040);
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1f / 720));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1f / 120));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1f / 24));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1f / 6));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(0.5f));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256<float>.One);
        p = Vector256.MultiplyAddEstimate(p, r, Vector256<float>.One);
        var twoToN = Vector256.ShiftLeft(Vector256.ConvertToInt32Native(n) + Vector256.Create(127), 23).AsSingle();
        return p * twoToN;
    }
}
