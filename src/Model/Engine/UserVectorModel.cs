using System.Buffers;
using Microsoft.ML.OnnxRuntime;

namespace Recommender.Model.Engine;

/// <summary>
/// The exported user-vector graph (<see cref="UserVectorGraph"/>) on one ONNX Runtime session, shared by all callers.
/// <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue})"/>
/// is safe to call concurrently; every call here binds its own input and output buffers.
/// </summary>
public sealed class UserVectorModel : IDisposable
{
    private static readonly string[] InputNames = [UserVectorGraph.HistoryInput, UserVectorGraph.LengthsInput, UserVectorGraph.UserEmbeddingInput];
    private static readonly string[] OutputNames = [UserVectorGraph.UserVectorOutput];

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();

    /// <param name="onnxModel">The serialized graph.</param>
    /// <param name="dim">D, the width of user_embedding and user_vector.</param>
    /// <param name="intraOpThreads">Threads one call may use; 1 keeps concurrent callers from contending.</param>
    public UserVectorModel(byte[] onnxModel, int dim, int intraOpThreads = 1)
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(intraOpThreads);
        Dim = dim;
        using var options = new SessionOptions
        {
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(onnxModel, options);
        CheckInterface();
    }

    public int Dim { get; }

    /// <summary>The user vector of one history (movie indices, oldest first, at least one) with graph part <paramref name="graphVector"/>.</summary>
    public void Compute(ReadOnlySpan<int> history, ReadOnlySpan<float> graphVector, Span<float> userVector)
    {
        if (history.IsEmpty)
        {
            throw new ArgumentException("The history must hold at least one movie.", nameof(history));
        }
        var historyBuffer = ArrayPool<long>.Shared.Rent(history.Length);
        try
        {
            for (var step = 0; step < history.Length; step++)
            {
                historyBuffer[step] = history[step];
            }
            int[] lengths = [history.Length];
            Run(historyBuffer.AsMemory(0, history.Length), lengths, 1, history.Length, graphVector, userVector);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(historyBuffer);
        }
    }

    /// <summary>
    /// User vectors for a batch: <paramref name="histories"/> is [batch, steps] row-major, each row valid for its
    /// <paramref name="lengths"/> entry (1..steps) and padded with any valid movie index after it;
    /// <paramref name="graphVectors"/> and <paramref name="userVectors"/> are [batch, D].
    /// </summary>
    public void ComputeBatch(long[] histories, int[] lengths, int steps, ReadOnlySpan<float> graphVectors, Span<float> userVectors)
    {
        ArgumentNullException.ThrowIfNull(histories);
        ArgumentNullException.ThrowIfNull(lengths);
        var batch = lengths.Length;
        if (histories.Length != batch * steps)
        {
            throw new ArgumentException($"histories holds {histories.Length} indices; expected batch {batch} x steps {steps}.", nameof(histories));
        }
        foreach (var length in lengths)
        {
            if (length < 1 || length > steps)
            {
                throw new ArgumentException($"Every length must be within 1..{steps}, got {length}.", nameof(lengths));
            }
        }
        Run(histories, lengths, batch, steps, graphVectors, userVectors);
    }

    private void Run(Memory<long> histories, int[] lengths, int batch, int steps, ReadOnlySpan<float> graphVectors, Span<float> userVectors)
    {
        var width = batch * Dim;
        if (graphVectors.Length != width)
        {
            throw new ArgumentException($"Graph vectors hold {graphVectors.Length} values; expected {batch} x {Dim}.", nameof(graphVectors));
        }
        if (userVectors.Length != width)
        {
            throw new ArgumentException($"The destination holds {userVectors.Length} values; expected {batch} x {Dim}.", nameof(userVectors));
        }
        var graphBuffer = ArrayPool<float>.Shared.Rent(width);
        var outputBuffer = ArrayPool<float>.Shared.Rent(width);
        try
        {
            graphVectors.CopyTo(graphBuffer);
            var memoryInfo = OrtMemoryInfo.DefaultInstance;
            using var historyValue = OrtValue.CreateTensorValueFromMemory(memoryInfo, histories, [batch, steps]);
            using var lengthsValue = OrtValue.CreateTensorValueFromMemory(lengths, [batch]);
            using var graphValue = OrtValue.CreateTensorValueFromMemory(memoryInfo, graphBuffer.AsMemory(0, width), [batch, Dim]);
            using var outputValue = OrtValue.CreateTensorValueFromMemory(memoryInfo, outputBuffer.AsMemory(0, width), [batch, Dim]);
            _session.Run(_runOptions, InputNames, [historyValue, lengthsValue, graphValue], OutputNames, [outputValue]);
            outputBuffer.AsSpan(0, width).CopyTo(userVectors);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(graphBuffer);
            ArrayPool<float>.Shared.Return(outputBuffer);
        }
    }

    private void CheckInterface()
    {
        foreach (var name in InputNames)
        {
            if (!_session.InputMetadata.ContainsKey(name))
            {
                throw new InvalidDataException($"The ONNX model has no input '{name}'; inputs: {string.Join(", ", _session.InputMetadata.Keys)}.");
            }
        }
        if (!_session.OutputMetadata.TryGetValue(UserVectorGraph.UserVectorOutput, out var output))
        {
            throw new InvalidDataException($"The ONNX model has no output '{UserVectorGraph.UserVectorOutput}'.");
        }
        if (output.Dimensions.Length != 2 || output.Dimensions[1] != Dim)
        {
            throw new InvalidDataException($"The ONNX output '{UserVectorGraph.UserVectorOutput}' has shape [{string.Join(", ", output.Dimensions)}]; expected [batch, {Dim}].");
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
