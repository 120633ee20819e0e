using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recommender.Model.Engine;

/// <summary>Dot products of one query vector with every row of a row-major table.</summary>
internal static class MovieScoring
{
    /// <summary>scores[i] = table[i, :] · query for every row i; table is [scores.Length, query.Length].</summary>
    public static void ScoreAll(ReadOnlySpan<float> table, ReadOnlySpan<float> query, Span<float> scores)
    {
        var dim = query.Length;
        var rows = scores.Length;
        if (table.Length != rows * dim)
        {
            throw new ArgumentException($"The table holds {table.Length} values; expected {rows} rows x {dim}.", nameof(table));
        }
        if (UsesVector256(dim))
        {
            ScoreAllVector256(table, query, scores);
            return;
        }
        for (var row = 0; row < rows; row++)
        {
            scores[row] = TensorPrimitives.Dot(table.Slice(row * dim, dim), query);
        }
    }

    /// <summary>table[row, :] · query, bit for bit the value <see cref="ScoreAll"/> gives that row.</summary>
    public static float ScoreRow(ReadOnlySpan<float> table, ReadOnlySpan<float> query, int row)
    {
        var dim = query.Length;
        var values = table.Slice(row * dim, dim);
        if (!UsesVector256(dim))
        {
            return TensorPrimitives.Dot(values, query);
        }
        ref var start = ref MemoryMarshal.GetReference(values);
        ref var q = ref MemoryMarshal.GetReference(query);
        var accumulator = Vector256<float>.Zero;
        for (var offset = 0; offset < dim; offset += Vector256<float>.Count)
        {
            accumulator = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref start, (nuint)offset), Vector256.LoadUnsafe(ref q, (nuint)offset), accumulator);
        }
        return Vector256.Sum(accumulator);
    }

    private static bool UsesVector256(int dim) =>
        Vector256.IsHardwareAccelerated && dim % Vector256<float>.Count == 0 && dim <= 16 * Vector256<float>.Count;

    /// <summary>
    /// Four rows per pass with one accumulator each; the query stays in registers. Every row is reduced in the same
    /// order whichever pass it falls in, so a row's score does not depend on its position.
    /// </summary>
    private static void ScoreAllVector256(ReadOnlySpan<float> table, ReadOnlySpan<float> query, Span<float> scores)
    {
        var dim = query.Length;
        var chunks = dim / Vector256<float>.Count;
        Span<Vector256<float>> q = stackalloc Vector256<float>[chunks];
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            q[chunk] = Vector256.Create(query.Slice(chunk * Vector256<float>.Count, Vector256<float>.Count));
        }
        ref var start = ref MemoryMarshal.GetReference(table);
        var rows = scores.Length;
        var row = 0;
        for (; row + 4 <= rows; row += 4)
        {
            ref var r0 = ref Unsafe.Add(ref start, row * dim);
            ref var r1 = ref Unsafe.Add(ref r0, dim);
            ref var r2 = ref Unsafe.Add(ref r1, dim);
            ref var r3 = ref Unsafe.Add(ref r2, dim);
            var a0 = Vector256<float>.Zero;
            var a1 = Vector256<float>.Zero;
            var a2 = Vector256<float>.Zero;
            var a3 = Vector256<float>.Zero;
            for (var chunk = 0; chunk < chunks; chunk++)
            {
                var offset = (nuint)(chunk * Vector256<float>.Count);
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r0, offset), q[chunk], a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r1, offset), q[chunk], a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r2, offset), q[chunk], a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r3, offset), q[chunk], a3);
            }
            scores[row] = Vector256.Sum(a0);
            scores[row + 1] = Vector256.Sum(a1);
            scores[row + 2] = Vector256.Sum(a2);
            scores[row + 3] = Vector256.Sum(a3);
        }
        for (; row < rows; row++)
        {
            ref var r = ref Unsafe.Add(ref start, row * dim);
            var a = Vector256<float>.Zero;
            for (var chunk = 0; chunk < chunks; chunk++)
            {
                a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r, (nuint)(chunk * Vector256<float>.Count)), q[chunk], a);
            }
            scores[row] = Vector256.Sum(a);
        }
    }
}
