using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Models;

/// <summary>
/// A constant sparse float32 matrix in compressed-row form, multiplied by dense CPU tensors for the graph propagation.
/// TorchSharp has COO tensors only, and libtorch's COO × dense product calls axpy once per nonzero, looking up the CPU
/// kernel on every call: about 35% of a joint gcn-lstm epoch on ml-100k went there (perf). This product walks each row's
/// nonzeros with the output row in registers or L1, on as many threads as libtorch's ops use (<c>TrainingOptions.Threads</c>).
/// </summary>
internal sealed class CsrMatrix
{
    // Row ranges of about equal nonzero counts, a few per core, so that one slow range does not hold the others up.
    private const int RangesPerCore = 4;

    private readonly int[] _rowStarts;
    private readonly int[] _columns;
    private readonly float[] _values;
    private readonly int[] _rangeStarts;

    /// <param name="rowStarts">Rows + 1 offsets into <paramref name="columns"/> and <paramref name="values"/>.</param>
    public CsrMatrix(int columnCount, int[] rowStarts, int[] columns, float[] values)
    {
        if (rowStarts.Length == 0 || rowStarts[0] != 0 || rowStarts[^1] != columns.Length || columns.Length != values.Length)
        {
            throw new ArgumentException($"Row starts must run from 0 to the {columns.Length} nonzeros, with one value per column index.", nameof(rowStarts));
        }
        RowCount = rowStarts.Length - 1;
        ColumnCount = columnCount;
        _rowStarts = rowStarts;
        _columns = columns;
        _values = values;
        var ranges = Math.Max(1, Math.Min(RowCount, RangesPerCore * Environment.ProcessorCount));
        _rangeStarts = new int[ranges + 1];
        var row = 0;
        for (var range = 1; range < ranges; range++)
        {
            var target = (long)columns.Length * range / ranges;
            while (row < RowCount && _rowStarts[row] < target)
            {
                row++;
            }
            _rangeStarts[range] = row;
        }
        _rangeStarts[ranges] = RowCount;
    }

    public int RowCount { get; }
    public int ColumnCount { get; }
    public int NonzeroCount => _columns.Length;

    /// <summary>This · <paramref name="dense"/> for a float32 CPU tensor [ColumnCount, D]; a new tensor [RowCount, D].</summary>
    public Tensor Multiply(Tensor dense)
    {
        if (dense.dim() != 2 || dense.shape[0] != ColumnCount || dense.dtype != ScalarType.Float32 || dense.device_type != DeviceType.CPU)
        {
            throw new ArgumentException($"Expected a float32 CPU tensor of {ColumnCount} rows, got {dense.dtype} [{string.Join(", ", dense.shape)}] on {dense.device}.", nameof(dense));
        }
        var dim = (int)dense.shape[1];
        using var input = dense.contiguous();
        var output = empty(RowCount, dim, ScalarType.Float32);
        unsafe
        {
            fixed (byte* inputBytes = input.bytes)
            fixed (byte* outputBytes = output.bytes)
            {
                var (source, target) = ((nint)inputBytes, (nint)outputBytes);
                var threads = new ParallelOptions { MaxDegreeOfParallelism = get_num_threads() };
                Parallel.For(0, _rangeStarts.Length - 1, threads, range =>
                    MultiplyRows(_rangeStarts[range], _rangeStarts[range + 1], (float*)source, (float*)target, dim));
            }
        }
        return output;
    }

    private unsafe void MultiplyRows(int firstRow, int endRow, float* source, float* target, int dim)
    {
        var vectorDims = Vector256.IsHardwareAccelerated ? dim - dim % Vector256<float>.Count : 0;
        for (var row = firstRow; row < endRow; row++)
        {
            var output = target + (nint)row * dim;
            new Span<float>(output, dim).Clear();
            for (var entry = _rowStarts[row]; entry < _rowStarts[row + 1]; entry++)
            {
                var input = source + (nint)_columns[entry] * dim;
                var value = _values[entry];
                var weight = Vector256.Create(value);
                var d = 0;
                for (; d < vectorDims; d += Vector256<float>.Count)
                {
                    Vector256.Store(Vector256.FusedMultiplyAdd(Vector256.Load(input + d), weight, Vector256.Load(output + d)), output + d);
                }
                for (; d < dim; d++)
                {
                    output[d] = MathF.FusedMultiplyAdd(input[d], value, output[d]);
                }
            }
        }
    }
}
