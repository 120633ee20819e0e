using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recommender.Model.Engine;

/// <summary>
/// An int8 copy of the movie table (one scale per row) for a first, approximate scoring pass: the query is quantized
/// to int16 as well, so each row costs a few integer multiply-adds and reads a quarter of the float32 bytes. Every
/// approximate score comes with a bound on its distance from the exact float32 score; ranking rescores exactly only
/// the rows whose bound interval can reach the top list, so results equal full exact scoring.
/// </summary>
internal sealed class QuantizedMovieTable
{
    // Query levels: fine enough that its rounding is negligible next to the rows', small enough that an int32 lane
    // (dim / 8 products of at most 127 · 16383) cannot overflow for dim <= 256.
    private const int QueryLevels = 16383;

    private readonly sbyte[] _values;
    private readonly float[] _scales;
    private readonly float[] _errorPerQueryNorm;
    private readonly float[] _errorPerQueryStep;

    public QuantizedMovieTable(ReadOnlySpan<float> table, int dim)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        Dim = dim;
        var rows = table.Length / dim;
        _values = new sbyte[rows * dim];
        _scales = new float[rows];
        _errorPerQueryNorm = new float[rows];
        _errorPerQueryStep = new float[rows];
        // Rounding of the exact float32 dot product: at most (dim + 2) units of 2^-24 of sum |e_d u_d|; doubled for margin.
        var roundingAllowance = 2.0 * (dim + 2) * Math.Pow(2, -24);
        for (var row = 0; row < rows; row++)
        {
            var values = table.Slice(row * dim, dim);
            var maxAbs = Math.Abs(TensorPrimitives.MaxMagnitude(values));
            if (!float.IsFinite(maxAbs) || maxAbs == 0)
            {
                // A zero row scores exactly 0; a non-finite one is always rescored.
                _errorPerQueryNorm[row] = float.IsFinite(maxAbs) ? 0 : float.PositiveInfinity;
                continue;
            }
            var scale = maxAbs / 127f;
            _scales[row] = scale;
            double residual = 0, quantizedMass = 0;
            for (var d = 0; d < dim; d++)
            {
                var quantized = (sbyte)Math.Clamp(MathF.Round(values[d] / scale), -127f, 127f);
                _values[row * dim + d] = quantized;
                residual = Math.Max(residual, Math.Abs(values[d] - (double)scale * quantized));
                quantizedMass += Math.Abs(quantized);
            }
            _errorPerQueryNorm[row] = (float)((residual + roundingAllowance * maxAbs) * 1.001);
            _errorPerQueryStep[row] = (float)(scale * quantizedMass * 1.001);
        }
    }

    public int Dim { get; }
    public int Rows => _scales.Length;

    /// <summary>
    /// approximate[i] ≈ table[i, :] · query and bound[i] ≥ |approximate[i] − exact float32 score|:
    /// with e ≈ s·q (row) and u ≈ t·v (query), |e·u − s·t·(q·v)| ≤ max|e − s·q|·‖u‖₁ + s·‖q‖₁·max|u − t·v|.
    /// </summary>
    public void ApproximateScores(ReadOnlySpan<float> query, Span<float> approximate, Span<float> bound)
    {
        if (query.Length != Dim || approximate.Length != Rows || bound.Length != Rows)
        {
            throw new ArgumentException($"Expected a query of {Dim} and {Rows} scores and bounds, got {query.Length}, {approximate.Length} and {bound.Length}.");
        }
        Span<short> quantizedQuery = stackalloc short[Dim];
        var maxAbs = Math.Abs(TensorPrimitives.MaxMagnitude(query));
        var step = maxAbs > 0 && float.IsFinite(maxAbs) ? maxAbs / QueryLevels : 1f;
        double queryResidual = 0;
        for (var d = 0; d < Dim; d++)
        {
            quantizedQuery[d] = (short)Math.Clamp(MathF.Round(query[d] / step), -QueryLevels, QueryLevels);
            queryResidual = Math.Max(queryResidual, Math.Abs(query[d] - (double)step * quantizedQuery[d]));
        }
        if (Avx2.IsSupported && Dim % 16 == 0 && Dim <= 256)
        {
            DotProductsAvx2(quantizedQuery, approximate);
        }
        else
        {
            for (var row = 0; row < Rows; row++)
            {
                var sum = 0;
                for (var d = 0; d < Dim; d++)
                {
                    sum += _values[row * Dim + d] * quantizedQuery[d];
                }
                approximate[row] = sum;
            }
        }
        // Converting the integer sums to float and scaling them costs three roundings, covered by the 2^-21 share.
        TensorPrimitives.Multiply(approximate, _scales, approximate);
        TensorPrimitives.Multiply(approximate, step, approximate);
        var queryNorm = TensorPrimitives.SumOfMagnitudes(query) * 1.0001f;
        var perStep = (float)((queryResidual + QueryLevels * step * Math.Pow(2, -21)) * 1.001);
        TensorPrimitives.Multiply(_errorPerQueryNorm, queryNorm, bound);
        TensorPrimitives.MultiplyAdd(_errorPerQueryStep, perStep, bound, bound);
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
        var candidates = ArrayPool<float>.Shared.Rent(Rows);
        var survivors = ArrayPool<int>.Shared.Rent(Rows);
        try
        {
            var approximateSpan = approximate.AsSpan(0, Rows);
            var boundSpan = bounds.AsSpan(0, Rows);
            var candidateSpan = candidates.AsSpan(0, Rows);
            ApproximateScores(query, approximateSpan, boundSpan);

            TensorPrimitives.Subtract(approximateSpan, boundSpan, candidateSpan);
            var found = TopKSelector.Select(candidateSpan, filter, items[..capacity], scores[..capacity]);
            var threshold = found == capacity ? scores[capacity - 1] : float.NegativeInfinity;

            // Only accepted rows whose upper bound reaches the threshold can be in the top list: they are scored
            // exactly and gathered in ascending row order, so selection among them keeps the lower-index-wins rule.
            TensorPrimitives.Add(approximateSpan, boundSpan, candidateSpan);
            var survivorRows = survivors.AsSpan(0, Rows);
            var exactScores = approximateSpan;
            var survivorCount = 0;
            for (var row = 0; row < Rows; row++)
            {
                if (candidateSpan[row] >= threshold && filter.Accepts(row))
                {
                    survivorRows[survivorCount] = row;
                    exactScores[survivorCount] = MovieScoring.ScoreRow(table, query, row);
                    survivorCount++;
                }
            }
            var selected = TopKSelector.Select(exactScores[..survivorCount], ItemFilter.None, items[..capacity], scores[..capacity]);
            for (var rank = 0; rank < selected; rank++)
            {
                items[rank] = survivorRows[items[rank]];
            }
            return selected;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(approximate);
            ArrayPool<float>.Shared.Return(bounds);
            ArrayPool<float>.Shared.Return(candidates);
            ArrayPool<int>.Shared.Return(survivors);
        }
    }

    /// <summary>destination[row] = Σ_d values[row, d] · query[d], exactly, as int16 multiply-add pairs.</summary>
    private unsafe void DotProductsAvx2(ReadOnlySpan<short> query, Span<float> destination)
    {
        var chunks = Dim / 16;
        var q = stackalloc Vector256<short>[chunks];
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            q[chunk] = Vector256.Create(query.Slice(chunk * 16, 16));
        }
        var rows = Rows;
        fixed (sbyte* values = _values)
        fixed (float* output = destination)
        {
            var row = 0;
            // Eight rows at a time: their eight accumulators reduce to one vector of eight sums with horizontal adds,
            // far cheaper than eight separate horizontal sums. Integer sums are exact in any order.
            for (; row + 8 <= rows; row += 8)
            {
                var first = values + (nint)row * Dim;
                var a0 = Vector256<int>.Zero;
                var a1 = Vector256<int>.Zero;
                var a2 = Vector256<int>.Zero;
                var a3 = Vector256<int>.Zero;
                var a4 = Vector256<int>.Zero;
                var a5 = Vector256<int>.Zero;
                var a6 = Vector256<int>.Zero;
                var a7 = Vector256<int>.Zero;
                for (var chunk = 0; chunk < chunks; chunk++)
                {
                    var offset = chunk * 16;
                    var queryChunk = q[chunk];
                    a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(first + offset), queryChunk));
                    a1 = Avx2.Add(a1, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(first + Dim + offset), queryChunk));
                    a2 = Avx2.Add(a2, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(first + 2 * Dim + offset), queryChunk));
                    a3 = Avx2.Add(a3, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(first + 3 * Dim + offset), queryChunk));
                    a4 = Avx2.Add(a4, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(first + 4 * Dim + offset), queryChunk));
                    a5 = Avx2.Add(a5, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(first + 5 * Dim + offset), queryChunk));
                    a6 = Avx2.Add(a6, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(first + 6 * Dim + offset), queryChunk));
                    a7 = Avx2.Add(a7, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(first + 7 * Dim + offset), queryChunk));
                }
                // Per 128-bit half: [a0 a0 a1 a1 | …] → [a0 a1 a2 a3 | a0 a1 a2 a3] partial sums, then halves added.
                var low = Avx2.HorizontalAdd(Avx2.HorizontalAdd(a0, a1), Avx2.HorizontalAdd(a2, a3));
                var high = Avx2.HorizontalAdd(Avx2.HorizontalAdd(a4, a5), Avx2.HorizontalAdd(a6, a7));
                var sums = Avx2.Add(Avx2.Permute2x128(low, high, 0x20), Avx2.Permute2x128(low, high, 0x31));
                Avx.Store(output + row, Avx.ConvertToVector256Single(sums));
            }
            for (; row < rows; row++)
            {
                var current = values + (nint)row * Dim;
                var accumulator = Vector256<int>.Zero;
                for (var chunk = 0; chunk < chunks; chunk++)
                {
                    accumulator = Avx2.Add(accumulator, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(current + chunk * 16), q[chunk]));
                }
                output[row] = Vector256.Sum(accumulator);
            }
        }
    }
}
