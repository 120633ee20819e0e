using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recommender.Model.Engine;

/// <summary>
/// A [rows, columns] matrix M for the product x·M of a row vector x, stored in panels of <see cref="PanelWidth"/>
/// columns, each panel [rows, width] row-major and contiguous. A full panel's product keeps eight 8-wide accumulators
/// in registers while it streams the panel once, in order; that is one FMA per loaded vector and no other memory traffic.
/// </summary>
internal sealed class PanelMatrix
{
    public const int PanelWidth = 64;

    private readonly float[] _values;

    private PanelMatrix(int rows, int columns)
    {
        Rows = rows;
        Columns = columns;
        _values = new float[rows * columns];
    }

    public int Rows { get; }
    public int Columns { get; }

    /// <summary>
    /// M = (the columns <paramref name="firstSourceColumn"/>.. +<paramref name="rows"/> of <paramref name="source"/>)ᵀ,
    /// so that x·M = source[:, those columns]·x: the layout ONNX uses for weights applied as W·x (Gemm with transB = 1,
    /// LSTM W and R).
    /// </summary>
    /// <param name="source">[sourceRows, sourceColumns] row-major.</param>
    public static PanelMatrix Transposed(float[] source, int sourceRows, int sourceColumns, int firstSourceColumn, int rows)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Length != sourceRows * sourceColumns || firstSourceColumn < 0 || firstSourceColumn + rows > sourceColumns)
        {
            throw new ArgumentException($"Columns {firstSourceColumn}..{firstSourceColumn + rows} of a [{sourceRows}, {sourceColumns}] matrix holding {source.Length} values.", nameof(source));
        }
        var matrix = new PanelMatrix(rows, sourceRows);
        for (var column = 0; column < sourceRows; column++)
        {
            for (var row = 0; row < rows; row++)
            {
                matrix._values[matrix.IndexOf(row, column)] = source[column * sourceColumns + firstSourceColumn + row];
            }
        }
        return matrix;
    }

    private int IndexOf(int row, int column)
    {
        var panelStart = column - column % PanelWidth;
        var width = Math.Min(PanelWidth, Columns - panelStart);
        return panelStart * Rows + row * width + column - panelStart;
    }

    /// <summary>
    /// destination = addend + x·M. <paramref name="addend"/> may be <paramref name="destination"/> itself.
    /// <paramref name="backwards"/> walks the panels, and the rows within them, in reverse order (same result up to
    /// rounding): alternating directions call after call lets the next call start on what the last one left in cache.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Accumulate(ReadOnlySpan<float> x, ReadOnlySpan<float> addend, Span<float> destination, bool backwards)
    {
        if (x.Length != Rows || addend.Length != Columns || destination.Length != Columns)
        {
            throw new ArgumentException($"x [{x.Length}], addend [{addend.Length}] and destination [{destination.Length}] do not fit a [{Rows}, {Columns}] matrix.");
        }
        var panels = (Columns + PanelWidth - 1) / PanelWidth;
        for (var index = 0; index < panels; index++)
        {
            var panelStart = (backwards ? panels - 1 - index : index) * PanelWidth;
            var width = Math.Min(PanelWidth, Columns - panelStart);
            ref var panel = ref _values[panelStart * Rows];
            if (width == PanelWidth)
            {
                AccumulateFullPanel(x, ref panel, addend[panelStart..], destination[panelStart..], backwards);
            }
            else
            {
                AccumulateNarrowPanel(x, ref panel, width, addend[panelStart..], destination[panelStart..]);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateFullPanel(ReadOnlySpan<float> x, ref float panel, ReadOnlySpan<float> addend, Span<float> destination, bool backwards)
    {
        ref var add = ref MemoryMarshal.GetReference(addend);
        var sum0 = Vector256.LoadUnsafe(ref add, 0);
        var sum1 = Vector256.LoadUnsafe(ref add, 8);
        var sum2 = Vector256.LoadUnsafe(ref add, 16);
        var sum3 = Vector256.LoadUnsafe(ref add, 24);
        var sum4 = Vector256.LoadUnsafe(ref add, 32);
        var sum5 = Vector256.LoadUnsafe(ref add, 40);
        var sum6 = Vector256.LoadUnsafe(ref add, 48);
        var sum7 = Vector256.LoadUnsafe(ref add, 56);
        ref var xStart = ref MemoryMarshal.GetReference(x);
        var rows = x.Length;
        nint row = backwards ? rows - 1 : 0;
        nint stride = backwards ? -1 : 1;
        for (var remaining = rows; remaining > 0; remaining--, row += stride)
        {
            var scale = Vector256.Create(Unsafe.Add(ref xStart, row));
            ref var values = ref Unsafe.Add(ref panel, row * PanelWidth);
            sum0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref values, 0), scale, sum0);
            sum1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref values, 8), scale, sum1);
            sum2 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref values, 16), scale, sum2);
            sum3 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref values, 24), scale, sum3);
            sum4 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref values, 32), scale, sum4);
            sum5 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref values, 40), scale, sum5);
            sum6 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref values, 48), scale, sum6);
            sum7 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref values, 56), scale, sum7);
        }
        ref var target = ref MemoryMarshal.GetReference(destination);
        sum0.StoreUnsafe(ref target, 0);
        sum1.StoreUnsafe(ref target, 8);
        sum2.StoreUnsafe(ref target, 16);
        sum3.StoreUnsafe(ref target, 24);
        sum4.StoreUnsafe(ref target, 32);
        sum5.StoreUnsafe(ref target, 40);
        sum6.StoreUnsafe(ref target, 48);
        sum7.StoreUnsafe(ref target, 56);
    }

    /// <summary>The last panel when Columns is not a multiple of <see cref="PanelWidth"/>: one 8-wide accumulator at a time, then scalars.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateNarrowPanel(ReadOnlySpan<float> x, ref float panel, int width, ReadOnlySpan<float> addend, Span<float> destination)
    {
        ref var xStart = ref MemoryMarshal.GetReference(x);
        var column = 0;
        for (; column + 8 <= width; column += 8)
        {
            var sum = Vector256.Create(addend.Slice(column, 8));
            for (var row = 0; row < x.Length; row++)
            {
                sum = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref panel, (nuint)(row * width + column)), Vector256.Create(Unsafe.Add(ref xStart, row)), sum);
            }
            sum.CopyTo(destination.Slice(column, 8));
        }
        for (; column < width; column++)
        {
            var sum = addend[column];
            for (var row = 0; row < x.Length; row++)
            {
                sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref xStart, row), Unsafe.Add(ref panel, row * width + column), sum);
            }
            destination[column] = sum;
        }
    }
}
