using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Google.Protobuf;
using Onnx;

namespace Recommender.Model.Engine;

/// <summary>
/// The exported user-vector graph (<see cref="UserVectorGraph"/>) evaluated in C# for one history at a time, built from
/// the same ONNX model bytes that <see cref="UserVectorModel"/> runs (the model is the only source of the weights).
/// Only the exact graph the training side writes is accepted (see <see cref="UserVectorGraphMatcher"/>).
/// <para>
/// Layer 0's input contribution W·x + Wb + Rb is precomputed for every movie at construction ([movies, 4H] floats),
/// so a step of the bottom layer is one row copy plus R·h. R is kept transposed so that R·h is a sum of rows scaled
/// by h's components (<see cref="AccumulateProducts"/>). Immutable after construction and safe for concurrent calls;
/// a call allocates nothing (its scratch comes from <see cref="ArrayPool{T}"/>).
/// </para>
/// </summary>
public sealed class CompiledUserVectorGraph
{
    /// <summary>Rows per task when the input-gate table is built; large enough to amortise scheduling.</summary>
    private const int TableRowsPerTask = 512;

    private readonly Layer[] _layers;
    /// <summary>Layer 0's W·E[movie] + Wb + Rb for every movie: [movies, 4H₀].</summary>
    private readonly float[] _inputGates;
    private readonly float[] _projectionTransposed;
    private readonly float[] _projectionBias;
    private readonly float[] _gateTransposed;
    private readonly float[] _gateBias;
    /// <summary>h and c of every layer, bottom first, at the start of a call's scratch.</summary>
    private readonly int _stateLength;
    private readonly int _maxHidden;
    private readonly int _scratchLength;

    /// <param name="InputTransposed">Wᵀ [input size, 4H]; unused (empty) for layer 0, whose inputs are precomputed.</param>
    /// <param name="RecurrentTransposed">Rᵀ [H, 4H].</param>
    /// <param name="Bias">Wb + Rb [4H].</param>
    private sealed record Layer(int Hidden, float[] InputTransposed, float[] RecurrentTransposed, float[] Bias);

    private CompiledUserVectorGraph(UserVectorGraphWeights weights)
    {
        Dim = weights.Dim;
        MovieCount = weights.MovieCount;
        _layers = [.. weights.Layers.Select((layer, index) => new Layer(
            layer.Hidden,
            index == 0 ? [] : Transpose(layer.InputWeight, 4 * layer.Hidden, layer.InputSize),
            Transpose(layer.RecurrentWeight, 4 * layer.Hidden, layer.Hidden),
            CombinedBias(layer)))];
        Hidden = _layers[^1].Hidden;
        var bottom = weights.Layers[0];
        _inputGates = new float[(long)MovieCount * 4 * bottom.Hidden];
        MultiplyRows(weights.MovieTable, Dim, Transpose(bottom.InputWeight, 4 * bottom.Hidden, Dim), _layers[0].Bias, _inputGates);
        _projectionTransposed = Transpose(weights.ProjectionWeight, Dim, Hidden);
        _projectionBias = weights.ProjectionBias;
        _gateTransposed = Transpose(weights.GateWeight, Dim, 2 * Dim);
        _gateBias = weights.GateBias;
        _maxHidden = _layers.Max(layer => layer.Hidden);
        _stateLength = _layers.Sum(layer => 2 * layer.Hidden);
        // The states, then the gates (4H), tanh(c) (H) and three D-wide vectors for the fusion.
        _scratchLength = _stateLength + 5 * _maxHidden + 3 * Dim;
    }

    /// <summary>D, the width of the graph part and of the user vector.</summary>
    public int Dim { get; }

    /// <summary>H of the top LSTM layer.</summary>
    public int Hidden { get; }

    public int Layers => _layers.Length;

    /// <summary>Rows of the graph's movie table: history entries must be below this.</summary>
    public int MovieCount { get; }

    /// <summary>Bytes held for the precomputed layer-0 input gates.</summary>
    public long InputGateTableBytes => _inputGates.LongLength * sizeof(float);

    /// <summary>
    /// Builds the graph from the serialized ONNX model, or explains why not: <paramref name="reason"/> names the node and
    /// the attribute, input or initializer that is not supported.
    /// </summary>
    /// <param name="dim">D, the width of user_embedding and user_vector.</param>
    public static bool TryCompile(byte[] onnxModel, int dim, [NotNullWhen(true)] out CompiledUserVectorGraph? graph, out string reason)
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        graph = null;
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(onnxModel);
        }
        catch (InvalidProtocolBufferException error)
        {
            reason = $"not a readable ONNX model: {error.Message}";
            return false;
        }
        try
        {
            graph = new CompiledUserVectorGraph(UserVectorGraphMatcher.Match(model, dim));
        }
        catch (UnsupportedGraphException unsupported)
        {
            reason = unsupported.Message;
            return false;
        }
        reason = "";
        return true;
    }

    /// <summary>
    /// The user vector of one history (movie indices, oldest first, at least one) with graph part
    /// <paramref name="graphVector"/>: exactly <c>history.Length</c> LSTM steps, as <see cref="UserVectorModel.Compute"/>.
    /// </summary>
    public void Compute(ReadOnlySpan<int> history, ReadOnlySpan<float> graphVector, Span<float> userVector)
    {
        if (history.IsEmpty)
        {
            throw new ArgumentException("The history must hold at least one movie.", nameof(history));
        }
        if (graphVector.Length != Dim)
        {
            throw new ArgumentException($"The graph vector holds {graphVector.Length} values; expected {Dim}.", nameof(graphVector));
        }
        if (userVector.Length != Dim)
        {
            throw new ArgumentException($"The destination holds {userVector.Length} values; expected {Dim}.", nameof(userVector));
        }
        for (var step = 0; step < history.Length; step++)
        {
            if ((uint)history[step] >= (uint)MovieCount)
            {
                throw new ArgumentOutOfRangeException(nameof(history), $"Movie index {history[step]} at step {step} is outside 0..{MovieCount - 1}.");
            }
        }

        var rented = ArrayPool<float>.Shared.Rent(_scratchLength);
        try
        {
            var scratch = rented.AsSpan(0, _scratchLength);
            // The LSTM starts from h = c = 0 (the graph has no initial_h / initial_c).
            scratch.Clear();
            var states = scratch[.._stateLength];
            var gates = scratch.Slice(_stateLength, 4 * _maxHidden);
            var cellTanh = scratch.Slice(_stateLength + 4 * _maxHidden, _maxHidden);
            var fusion = scratch[(_stateLength + 5 * _maxHidden)..];

            for (var step = 0; step < history.Length; step++)
            {
                var stateOffset = 0;
                ReadOnlySpan<float> below = default;
                for (var index = 0; index < _layers.Length; index++)
                {
                    var layer = _layers[index];
                    var hidden = layer.Hidden;
                    var layerGates = gates[..(4 * hidden)];
                    var h = states.Slice(stateOffset, hidden);
                    var c = states.Slice(stateOffset + hidden, hidden);
                    if (index == 0)
                    {
                        _inputGates.AsSpan(history[step] * 4 * hidden, 4 * hidden).CopyTo(layerGates);
                    }
                    else
                    {
                        layer.Bias.CopyTo(layerGates);
                        AccumulateProducts(below, layer.InputTransposed, layerGates);
                    }
                    if (step > 0)
                    {
                        AccumulateProducts(h, layer.RecurrentTransposed, layerGates);
                    }
                    UpdateState(layerGates, h, c, cellTanh[..hidden]);
                    below = h;
                    stateOffset += 2 * hidden;
                }
            }

            // s = Ws·h + bs;  z = sigmoid(Wz·[g ; s] + bz);  u = s + z ⊙ (g − s), as the graph writes it.
            var sequenceVector = fusion[..Dim];
            var gate = fusion.Slice(Dim, Dim);
            var difference = fusion.Slice(2 * Dim, Dim);
            var top = states.Slice(_stateLength - 2 * Hidden, Hidden);
            _projectionBias.CopyTo(sequenceVector);
            AccumulateProducts(top, _projectionTransposed, sequenceVector);
            _gateBias.CopyTo(gate);
            AccumulateProducts(graphVector, _gateTransposed.AsSpan(0, Dim * Dim), gate);
            AccumulateProducts(sequenceVector, _gateTransposed.AsSpan(Dim * Dim), gate);
            TensorPrimitives.Sigmoid(gate, gate);
            TensorPrimitives.Subtract(graphVector, sequenceVector, difference);
            TensorPrimitives.Multiply(gate, difference, difference);
            TensorPrimitives.Add(sequenceVector, difference, userVector);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// One LSTM step from the pre-activation gates (ONNX order i, o, f, c):
    /// c ← σ(f) ⊙ c + σ(i) ⊙ tanh(ĉ);  h ← σ(o) ⊙ tanh(c).
    /// </summary>
    private static void UpdateState(Span<float> gates, Span<float> h, Span<float> c, Span<float> cellTanh)
    {
        var hidden = h.Length;
        TensorPrimitives.Sigmoid(gates[..(3 * hidden)], gates[..(3 * hidden)]);
        TensorPrimitives.Tanh(gates[(3 * hidden)..], gates[(3 * hidden)..]);
        var input = gates[..hidden];
        var output = gates.Slice(hidden, hidden);
        var forget = gates.Slice(2 * hidden, hidden);
        var candidate = gates.Slice(3 * hidden, hidden);
        TensorPrimitives.Multiply(forget, c, c);
        TensorPrimitives.FusedMultiplyAdd(input, candidate, c, c);
        TensorPrimitives.Tanh(c, cellTanh);
        TensorPrimitives.Multiply(output, cellTanh, h);
    }

    /// <summary>
    /// accumulator += Σₖ x[k] · rows[k, :], rows being [x.Length, accumulator.Length] row-major: a matrix-vector
    /// product with the matrix stored transposed, eight 8-wide accumulators at a time.
    /// </summary>
    private static void AccumulateProducts(ReadOnlySpan<float> x, ReadOnlySpan<float> rows, Span<float> accumulator)
    {
        var width = accumulator.Length;
        var count = x.Length;
        if (rows.Length != count * width)
        {
            throw new ArgumentException($"rows holds {rows.Length} values; expected {count} x {width}.", nameof(rows));
        }
        ref var xStart = ref MemoryMarshal.GetReference(x);
        ref var rowsStart = ref MemoryMarshal.GetReference(rows);
        ref var target = ref MemoryMarshal.GetReference(accumulator);
        var column = 0;
        for (; column + 64 <= width; column += 64)
        {
            ref var block = ref Unsafe.Add(ref rowsStart, column);
            var sum0 = Vector256.LoadUnsafe(ref target, (nuint)column);
            var sum1 = Vector256.LoadUnsafe(ref target, (nuint)column + 8);
            var sum2 = Vector256.LoadUnsafe(ref target, (nuint)column + 16);
            var sum3 = Vector256.LoadUnsafe(ref target, (nuint)column + 24);
            var sum4 = Vector256.LoadUnsafe(ref target, (nuint)column + 32);
            var sum5 = Vector256.LoadUnsafe(ref target, (nuint)column + 40);
            var sum6 = Vector256.LoadUnsafe(ref target, (nuint)column + 48);
            var sum7 = Vector256.LoadUnsafe(ref target, (nuint)column + 56);
            for (var k = 0; k < count; k++)
            {
                var scale = Vector256.Create(Unsafe.Add(ref xStart, k));
                ref var row = ref Unsafe.Add(ref block, (nint)k * width);
                sum0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref row, 0), scale, sum0);
                sum1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref row, 8), scale, sum1);
                sum2 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref row, 16), scale, sum2);
                sum3 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref row, 24), scale, sum3);
                sum4 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref row, 32), scale, sum4);
                sum5 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref row, 40), scale, sum5);
                sum6 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref row, 48), scale, sum6);
                sum7 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref row, 56), scale, sum7);
            }
            sum0.StoreUnsafe(ref target, (nuint)column);
            sum1.StoreUnsafe(ref target, (nuint)column + 8);
            sum2.StoreUnsafe(ref target, (nuint)column + 16);
            sum3.StoreUnsafe(ref target, (nuint)column + 24);
            sum4.StoreUnsafe(ref target, (nuint)column + 32);
            sum5.StoreUnsafe(ref target, (nuint)column + 40);
            sum6.StoreUnsafe(ref target, (nuint)column + 48);
            sum7.StoreUnsafe(ref target, (nuint)column + 56);
        }
        for (; column + 8 <= width; column += 8)
        {
            var sum = Vector256.LoadUnsafe(ref target, (nuint)column);
            for (var k = 0; k < count; k++)
            {
                sum = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref rowsStart, (nuint)((nint)k * width + column)), Vector256.Create(Unsafe.Add(ref xStart, k)), sum);
            }
            sum.StoreUnsafe(ref target, (nuint)column);
        }
        for (; column < width; column++)
        {
            var sum = Unsafe.Add(ref target, column);
            for (var k = 0; k < count; k++)
            {
                sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref xStart, k), Unsafe.Add(ref rowsStart, (nint)k * width + column), sum);
            }
            Unsafe.Add(ref target, column) = sum;
        }
    }

    /// <summary>
    /// output[m, n] = bias[n] + Σₖ a[m, k] · bTransposed[k, n] for every row m of <paramref name="a"/> ([m, depth]),
    /// in blocks of 4 rows x 16 columns (eight accumulators, each loaded column vector used for four rows),
    /// rows spread over the thread pool.
    /// </summary>
    private static void MultiplyRows(float[] a, int depth, float[] bTransposed, float[] bias, float[] output)
    {
        var width = bias.Length;
        var rowCount = a.Length / depth;
        var tasks = (rowCount + TableRowsPerTask - 1) / TableRowsPerTask;
        Parallel.For(0, tasks, task =>
        {
            var firstRow = task * TableRowsPerTask;
            var endRow = Math.Min(rowCount, firstRow + TableRowsPerTask);
            var row = firstRow;
            for (; row + 4 <= endRow; row += 4)
            {
                var column = 0;
                for (; column + 16 <= width; column += 16)
                {
                    MultiplyBlock(a, row, depth, bTransposed, column, width, bias, output);
                }
                if (column < width)
                {
                    for (var blockRow = row; blockRow < row + 4; blockRow++)
                    {
                        MultiplyRowTail(a, blockRow, depth, bTransposed, column, bias, output);
                    }
                }
            }
            for (; row < endRow; row++)
            {
                MultiplyRowTail(a, row, depth, bTransposed, 0, bias, output);
            }
        });
    }

    private static void MultiplyBlock(float[] a, int row, int depth, float[] bTransposed, int column, int width, float[] bias, float[] output)
    {
        ref var aRow0 = ref a[row * depth];
        ref var aRow1 = ref Unsafe.Add(ref aRow0, depth);
        ref var aRow2 = ref Unsafe.Add(ref aRow1, depth);
        ref var aRow3 = ref Unsafe.Add(ref aRow2, depth);
        ref var bColumn = ref bTransposed[column];
        var biasLow = Vector256.LoadUnsafe(ref bias[column]);
        var biasHigh = Vector256.LoadUnsafe(ref bias[column], 8);
        Vector256<float> low0 = biasLow, high0 = biasHigh, low1 = biasLow, high1 = biasHigh;
        Vector256<float> low2 = biasLow, high2 = biasHigh, low3 = biasLow, high3 = biasHigh;
        for (var k = 0; k < depth; k++)
        {
            ref var bRow = ref Unsafe.Add(ref bColumn, (nint)k * width);
            var bLow = Vector256.LoadUnsafe(ref bRow);
            var bHigh = Vector256.LoadUnsafe(ref bRow, 8);
            var scale = Vector256.Create(Unsafe.Add(ref aRow0, k));
            low0 = Vector256.MultiplyAddEstimate(bLow, scale, low0);
            high0 = Vector256.MultiplyAddEstimate(bHigh, scale, high0);
            scale = Vector256.Create(Unsafe.Add(ref aRow1, k));
            low1 = Vector256.MultiplyAddEstimate(bLow, scale, low1);
            high1 = Vector256.MultiplyAddEstimate(bHigh, scale, high1);
            scale = Vector256.Create(Unsafe.Add(ref aRow2, k));
            low2 = Vector256.MultiplyAddEstimate(bLow, scale, low2);
            high2 = Vector256.MultiplyAddEstimate(bHigh, scale, high2);
            scale = Vector256.Create(Unsafe.Add(ref aRow3, k));
            low3 = Vector256.MultiplyAddEstimate(bLow, scale, low3);
            high3 = Vector256.MultiplyAddEstimate(bHigh, scale, high3);
        }
        ref var out0 = ref output[(long)row * width + column];
        low0.StoreUnsafe(ref out0);
        high0.StoreUnsafe(ref out0, 8);
        ref var out1 = ref Unsafe.Add(ref out0, width);
        low1.StoreUnsafe(ref out1);
        high1.StoreUnsafe(ref out1, 8);
        ref var out2 = ref Unsafe.Add(ref out1, width);
        low2.StoreUnsafe(ref out2);
        high2.StoreUnsafe(ref out2, 8);
        ref var out3 = ref Unsafe.Add(ref out2, width);
        low3.StoreUnsafe(ref out3);
        high3.StoreUnsafe(ref out3, 8);
    }

    /// <summary>Columns <paramref name="firstColumn"/>.. of one output row, without blocking.</summary>
    private static void MultiplyRowTail(float[] a, int row, int depth, float[] bTransposed, int firstColumn, float[] bias, float[] output)
    {
        var width = bias.Length;
        var target = output.AsSpan((int)((long)row * width) + firstColumn, width - firstColumn);
        bias.AsSpan(firstColumn).CopyTo(target);
        for (var k = 0; k < depth; k++)
        {
            TensorPrimitives.MultiplyAdd(bTransposed.AsSpan(k * width + firstColumn, width - firstColumn), a[row * depth + k], target, target);
        }
    }

    private static float[] CombinedBias(OnnxLstmLayer layer)
    {
        var width = 4 * layer.Hidden;
        var bias = new float[width];
        TensorPrimitives.Add(layer.Bias.AsSpan(0, width), layer.Bias.AsSpan(width, width), bias);
        return bias;
    }

    /// <summary>[rows, columns] row-major → [columns, rows] row-major.</summary>
    private static float[] Transpose(float[] matrix, int rows, int columns)
    {
        var transposed = new float[matrix.Length];
        for (var row = 0; row < rows; row++)
        {
            for (var column = 0; column < columns; column++)
            {
                transposed[column * rows + row] = matrix[row * columns + column];
            }
        }
        return transposed;
    }
}
