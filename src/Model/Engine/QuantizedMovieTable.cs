using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recommender.Model.Engine;

/// <summary>
/// An int8 copy of the movie table (one scale per row) for a first, approximate scoring pass that reads a quarter of
/// the bytes, with a per-row bound on how far an approximate score can be from the exact float32 one. Ranking then
/// rescores exactly only the rows whose bound interval can reach the top list, so results equal full exact scoring.
/// </summary>
internal sealed class QuantizedMovieTable
{
    private readonly sbyte[] _values;
    private readonly float[] _scales;
    private readonly float[] _errorPerQueryNorm;

    public QuantizedMovieTable(ReadOnlySpan<float> table, int dim)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        Dim = dim;
        var rows = table.Length / dim;
        _values = new sbyte[rows * dim];
        _scales = new float[rows];
        _errorPerQueryNorm = new float[rows];
        // Rounding of both float32 dot products: at most (dim + 2) units of 2^-24 of sum |e_d u_d| each; doubled for margin.
        var roundingAllowance = 2.0 * (dim + 2) * Math.Pow(2, -24);
        for (var row = 0; row < rows; row++)
        {
            var values = table.Slice(row * dim, dim);
            var largest = TensorPrimitives.MaxMagnitude(values);
            var maxAbs = Math.Abs(largest);
            if (!float.IsFinite(maxAbs) || maxAbs == 0)
            {
                _errorPerQueryNorm[row] = float.IsFinite(maxAbs) ? 0 : float.PositiveInfinity;
                continue;
            }
            var scale = maxAbs / 127f;
            _scales[row] = scale;
            double residual = 0;
            for (var d = 0; d < dim; d++)
            {
                var quantized = (sbyte)Math.Clamp(MathF.Round(values[d] / scale), -127f, 127f);
                _values[row * dim + d] = quantized;
                residual = Math.Max(residual, Math.Abs(values[d] - (double)scale * quantized));
            }
            // |approximate - exact| <= ||u||_1 * (max residual + rounding of both dot products), rounded up.
            _errorPerQueryNorm[row] = (float)((residual + roundingAllowance * maxAbs * 1.01) * 1.001);
        }
    }

    public int Dim { get; }
    public int Rows => _scales.Length;

    /// <summary>Per row: the bound on |approximate − exact| score per unit of the query's L1 norm.</summary>
    public ReadOnlySpan<float> ErrorPerQueryNorm => _errorPerQueryNorm;

    /// <summary>approximate[i] ≈ table[i, :] · query.</summary>
    public void ApproximateScores(ReadOnlySpan<float> query, Span<float> approximate)
    {
        if (query.Length != Dim || approximate.Length != Rows)
        {
            throw new ArgumentException($"Expected a query of {Dim} and {Rows} scores, got {query.Length} and {approximate.Length}.");
        }
        if (Avx2.IsSupported && Fma.IsSupported && Dim % 8 == 0 && Dim <= 128)
        {
            ApproximateScoresAvx2(query, approximate);
            return;
        }
        for (var row = 0; row < Rows; row++)
        {
            float sum = 0;
            for (var d = 0; d < Dim; d++)
            {
                sum += _values[row * Dim + d] * query[d];
            }
            approximate[row] = sum * _scales[row];
        }
    }

    /// <summary>
    /// The best accepted rows of <paramref name="table"/> (the float32 table this was built from) for
    /// <paramref name="query"/>, identical to exact scoring (<see cref="MovieScoring.ScoreAll"/>) followed by
    /// <see cref="TopKSelector.Select"/>: the k-th best lower bound is a threshold, and only rows whose upper bound
    /// reaches it are scored exactly. Returns how many were written to <paramref name="items"/> / <paramref name="scores"/>.
    /// </summary>
    public int SelectBest(ReadOnlySpan<float> table, ReadOnlySpan<float> query, in ItemFilter filter, Span<int> items, Span<float> scores)
    {
        var capacity = Math.Min(items.Length, scores.Length);
        var approximate = ArrayPool<float>.Shared.Rent(Rows);
        var bounds = ArrayPool<float>.Shared.Rent(Rows);
        try
        {
            var approximateSpan = approximate.AsSpan(0, Rows);
            var boundSpan = bounds.AsSpan(0, Rows);
            ApproximateScores(query, approximateSpan);
            var queryNorm = TensorPrimitives.SumOfMagnitudes(query) * 1.0001f;

            TensorPrimitives.MultiplyAdd(ErrorPerQueryNorm, -queryNorm, approximateSpan, boundSpan);
            var found = TopKSelector.Select(boundSpan, filter, items[..capacity], scores[..capacity]);
            var threshold = found == capacity ? scores[capacity - 1] : float.NegativeInfinity;

            // Rows that cannot reach the threshold become NaN, which selection skips; the rest get their exact score.
            TensorPrimitives.MultiplyAdd(ErrorPerQueryNorm, queryNorm, approximateSpan, boundSpan);
            for (var row = 0; row < Rows; row++)
            {
                boundSpan[row] = boundSpan[row] >= threshold ? MovieScoring.ScoreRow(table, query, row) : float.NaN;
            }
            return TopKSelector.Select(boundSpan, filter, items[..capacity], scores[..capacity]);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(approximate);
            ArrayPool<float>.Shared.Return(bounds);
        }
    }

    private unsafe void ApproximateScoresAvx2(ReadOnlySpan<float> query, Span<float> approximate)
    {
        var chunks = Dim / 8;
        var q = stackalloc Vector256<float>[chunks];
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            q[chunk] = Vector256.Create(query.Slice(chunk * 8, 8));
        }
        var rows = Rows;
        fixed (sbyte* values = _values)
        fixed (float* scales = _scales)
        fixed (float* destination = approximate)
        {
            var row = 0;
            for (; row + 2 <= rows; row += 2)
            {
                var first = values + (nint)row * Dim;
                var second = first + Dim;
                var a0 = Vector256<float>.Zero;
                var a1 = Vector256<float>.Zero;
                for (var chunk = 0; chunk < chunks; chunk++)
                {
                    a0 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(first + chunk * 8)), q[chunk], a0);
                    a1 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(second + chunk * 8)), q[chunk], a1);
                }
                destination[row] = Vector256.Sum(a0) * scales[row];
                destination[row + 1] = Vector256.Sum(a1) * scales[row + 1];
            }
            for (; row < rows; row++)
            {
                var current = values + (nint)row * Dim;
                var accumulator = Vector256<float>.Zero;
                for (var chunk = 0; chunk < chunks; chunk++)
                {
                    accumulator = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(current + chunk * 8)), q[chunk], accumulator);
                }
                destination[row] = Vector256.Sum(accumulator) * scales[row];
            }
        }
    }
}
