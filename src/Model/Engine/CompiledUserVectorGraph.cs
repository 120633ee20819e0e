using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Google.Protobuf;
using Onnx;

namespace Recommender.Model.Engine;

/// <summary>
/// The exported user-vector graph (<see cref="UserVectorGraph"/>) evaluated in C# for one history at a time, built from
/// the same ONNX model bytes that <see cref="UserVectorModel"/> runs (the model is the only source of the weights).
/// Only the exact graph the training side writes is accepted (see <see cref="UserVectorGraphMatcher"/>).
/// <para>
/// Layer 0's input contribution W·x + Wb + Rb is precomputed for every movie at construction ([movies, 4H] floats),
/// so a step of the bottom layer is one table row plus R·h; rows are fetched ahead of their steps, since the table is
/// larger than the caches. R·h streams R once per step (64 KB for H = 64, more than a common x64 L1 cache); every other
/// step walks it backwards, so a step starts on what the previous one left in L1. The activations of all units follow
/// the whole product, as independent vectors the CPU can overlap.
/// Immutable after construction and safe for concurrent calls; a call allocates nothing (its scratch comes from
/// <see cref="ArrayPool{T}"/>).
/// </para>
/// </summary>
public sealed class CompiledUserVectorGraph
{
    /// <summary>Rows per task when the input-gate table is built; large enough to amortise scheduling.</summary>
    private const int TableRowsPerTask = 512;

    /// <summary>Steps ahead whose input-gate row is prefetched: a step takes well under a microsecond, a row from memory about a tenth of that.</summary>
    private const int PrefetchDistance = 4;

    /// <summary>
    /// Receives a sum of early loads that exist for their side effect on the caches (see <see cref="Compute"/>); per
    /// thread, so that concurrent callers do not write one shared cache line.
    /// </summary>
    [ThreadStatic]
    private static float t_rowSink;

    private readonly Layer[] _layers;
    /// <summary>Layer 0's W·E[movie] + Wb + Rb for every movie: [movies, 4H₀], gates in ONNX order i, o, f, c.</summary>
    private readonly float[] _inputGates;
    private readonly int _inputGateWidth;
    private readonly PanelMatrix _projection;
    private readonly float[] _projectionBias;
    private readonly PanelMatrix _gateFromGraph;
    private readonly PanelMatrix _gateFromSequence;
    private readonly float[] _gateBias;
    /// <summary>T [movies, D]: the row of the history's last movie is added to the user vector; null without it.</summary>
    private readonly float[]? _transitions;
    /// <summary>h and c of every layer, bottom first, at the start of a call's scratch.</summary>
    private readonly int _stateLength;
    private readonly int _maxHidden;
    private readonly int _scratchLength;

    /// <param name="Input">x·Wᵀ for the layer's input x; null for layer 0, whose inputs are precomputed.</param>
    /// <param name="Recurrent">h·Rᵀ.</param>
    /// <param name="Bias">Wb + Rb [4H].</param>
    private sealed record Layer(int Hidden, PanelMatrix? Input, PanelMatrix Recurrent, float[] Bias);

    private CompiledUserVectorGraph(UserVectorGraphWeights weights)
    {
        Dim = weights.Dim;
        MovieCount = weights.MovieCount;
        _layers = [.. weights.Layers.Select((layer, index) => new Layer(
            layer.Hidden,
            index == 0 ? null : PanelMatrix.Transposed(layer.InputWeight, 4 * layer.Hidden, layer.InputSize, 0, layer.InputSize),
            PanelMatrix.Transposed(layer.RecurrentWeight, 4 * layer.Hidden, layer.Hidden, 0, layer.Hidden),
            CombinedBias(layer)))];
        Hidden = _layers[^1].Hidden;
        var bottom = weights.Layers[0];
        _inputGateWidth = 4 * bottom.Hidden;
        if ((long)MovieCount * _inputGateWidth > Array.MaxLength)
        {
            throw new UnsupportedGraphException($"the input-gate table ({MovieCount} movies x {_inputGateWidth}) would not fit in one array");
        }
        _inputGates = new float[MovieCount * _inputGateWidth];
        var inputWeight = PanelMatrix.Transposed(bottom.InputWeight, _inputGateWidth, Dim, 0, Dim);
        var bias = _layers[0].Bias;
        var movieTable = weights.MovieTable;
        Parallel.For(0, (MovieCount + TableRowsPerTask - 1) / TableRowsPerTask, task =>
        {
            for (var movie = task * TableRowsPerTask; movie < Math.Min(MovieCount, (task + 1) * TableRowsPerTask); movie++)
            {
                inputWeight.Accumulate(movieTable.AsSpan(movie * Dim, Dim), bias, _inputGates.AsSpan(movie * _inputGateWidth, _inputGateWidth), backwards: false);
            }
        });
        _projection = PanelMatrix.Transposed(weights.ProjectionWeight, Dim, Hidden, 0, Hidden);
        _projectionBias = weights.ProjectionBias;
        _gateFromGraph = PanelMatrix.Transposed(weights.GateWeight, Dim, 2 * Dim, 0, Dim);
        _gateFromSequence = PanelMatrix.Transposed(weights.GateWeight, Dim, 2 * Dim, Dim, Dim);
        _gateBias = weights.GateBias;
        _transitions = weights.TransitionTable;
        _maxHidden = _layers.Max(layer => layer.Hidden);
        _stateLength = _layers.Sum(layer => 2 * layer.Hidden);
        // The states, then the gates (4H) and three D-wide vectors for the fusion.
        _scratchLength = _stateLength + 4 * _maxHidden + 3 * Dim;
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
            var fusion = scratch[(_stateLength + 4 * _maxHidden)..];

            // One load per input-gate row up front: the loads overlap one another, and they bring each row's page into
            // the TLB, without which the software prefetches below (for the whole row, a few steps ahead) are dropped.
            // Measured on a 27K-movie table: rows still cost ~12 µs of a 50-step call with prefetches alone, ~7 µs with both.
            var rowSum = 0f;
            for (var step = 1; step < history.Length; step++)
            {
                rowSum += _inputGates[history[step] * _inputGateWidth];
            }
            // Consumed so that the JIT keeps the loads.
            Volatile.Write(ref t_rowSink, rowSum);
            for (var step = 1; step < Math.Min(PrefetchDistance, history.Length); step++)
            {
                Prefetch(_inputGates.AsSpan(history[step] * _inputGateWidth, _inputGateWidth));
            }
            for (var step = 0; step < history.Length; step++)
            {
                if (step + PrefetchDistance < history.Length)
                {
                    Prefetch(_inputGates.AsSpan(history[step + PrefetchDistance] * _inputGateWidth, _inputGateWidth));
                }
                var backwards = (step & 1) == 1;
                var stateOffset = 0;
                ReadOnlySpan<float> below = default;
                foreach (var layer in _layers)
                {
                    var hidden = layer.Hidden;
                    var layerGates = gates[..(4 * hidden)];
                    var h = states.Slice(stateOffset, hidden);
                    var c = states.Slice(stateOffset + hidden, hidden);
                    ReadOnlySpan<float> inputGates;
                    if (layer.Input is null)
                    {
                        inputGates = _inputGates.AsSpan(history[step] * _inputGateWidth, _inputGateWidth);
                    }
                    else
                    {
                        layer.Input.Accumulate(below, layer.Bias, layerGates, backwards: false);
                        inputGates = layerGates;
                    }
                    if (step > 0)
                    {
                        layer.Recurrent.Accumulate(h, inputGates, layerGates, backwards);
                        inputGates = layerGates;
                    }
                    UpdateState(inputGates, c, h);
                    below = h;
                    stateOffset += 2 * hidden;
                }
            }

            // s = Ws·h + bs;  z = sigmoid(Wz·[g ; s] + bz);  u = s + z ⊙ (g − s), as the graph writes it.
            var sequenceVector = fusion[..Dim];
            var gate = fusion.Slice(Dim, Dim);
            var difference = fusion.Slice(2 * Dim, Dim);
            _projection.Accumulate(states.Slice(_stateLength - 2 * Hidden, Hidden), _projectionBias, sequenceVector, backwards: false);
            _gateFromGraph.Accumulate(graphVector, _gateBias, gate, backwards: false);
            _gateFromSequence.Accumulate(sequenceVector, gate, gate, backwards: false);
            LstmActivations.Sigmoid(gate);
            TensorPrimitives.Subtract(graphVector, sequenceVector, difference);
            TensorPrimitives.Multiply(gate, difference, difference);
            TensorPrimitives.Add(sequenceVector, difference, userVector);
            if (_transitions is not null)
            {
                TensorPrimitives.Add(userVector, _transitions.AsSpan(history[^1] * Dim, Dim), userVector);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// One LSTM step from the pre-activation gates (ONNX order i, o, f, c; H entries each):
    /// c ← σ(f) ⊙ c + σ(i) ⊙ tanh(ĉ);  h ← σ(o) ⊙ tanh(c).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UpdateState(ReadOnlySpan<float> gates, Span<float> c, Span<float> h)
    {
        var units = h.Length;
        ref var input = ref MemoryMarshal.GetReference(gates);
        ref var output = ref Unsafe.Add(ref input, units);
        ref var forget = ref Unsafe.Add(ref output, units);
        ref var candidate = ref Unsafe.Add(ref forget, units);
        ref var hStart = ref MemoryMarshal.GetReference(h);
        ref var cStart = ref MemoryMarshal.GetReference(c);
        var j = 0;
        for (; j + 8 <= units; j += 8)
        {
            var offset = (nuint)j;
            var cell = Vector256.MultiplyAddEstimate(
                LstmActivations.Sigmoid(Vector256.LoadUnsafe(ref forget, offset)),
                Vector256.LoadUnsafe(ref cStart, offset),
                LstmActivations.Sigmoid(Vector256.LoadUnsafe(ref input, offset)) * LstmActivations.Tanh(Vector256.LoadUnsafe(ref candidate, offset)));
            cell.StoreUnsafe(ref cStart, offset);
            (LstmActivations.Sigmoid(Vector256.LoadUnsafe(ref output, offset)) * LstmActivations.Tanh(cell)).StoreUnsafe(ref hStart, offset);
        }
        for (; j < units; j++)
        {
            var cell = LstmActivations.Sigmoid(Unsafe.Add(ref forget, j)) * Unsafe.Add(ref cStart, j)
                + LstmActivations.Sigmoid(Unsafe.Add(ref input, j)) * LstmActivations.Tanh(Unsafe.Add(ref candidate, j));
            Unsafe.Add(ref cStart, j) = cell;
            Unsafe.Add(ref hStart, j) = LstmActivations.Sigmoid(Unsafe.Add(ref output, j)) * LstmActivations.Tanh(cell);
        }
    }

    /// <summary>Asks for <paramref name="values"/> to be brought into the cache ahead of use (no-op without SSE).</summary>
    private static unsafe void Prefetch(ReadOnlySpan<float> values)
    {
        if (!Sse.IsSupported)
        {
            return;
        }
        const int FloatsPerCacheLine = 16;
        fixed (float* start = values)
        {
            for (var offset = 0; offset < values.Length; offset += FloatsPerCacheLine)
            {
                Sse.Prefetch0(start + offset);
            }
        }
    }

    private static float[] CombinedBias(OnnxLstmLayer layer)
    {
        var width = 4 * layer.Hidden;
        var bias = new float[width];
        TensorPrimitives.Add(layer.Bias.AsSpan(0, width), layer.Bias.AsSpan(width, width), bias);
        return bias;
    }
}
