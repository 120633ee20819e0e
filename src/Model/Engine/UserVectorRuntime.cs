using System.Diagnostics;
using Recommender.Model.Bundle;

namespace Recommender.Model.Engine;

/// <summary>What computes the user vector of a single request.</summary>
public enum UserVectorRuntime
{
    /// <summary>The ONNX Runtime session (<see cref="UserVectorModel"/>).</summary>
    OnnxRuntime,

    /// <summary>The same graph evaluated in C# (<see cref="CompiledUserVectorGraph"/>), verified against ONNX Runtime at load.</summary>
    Compiled,
}

/// <summary>The engine option that chooses <see cref="UserVectorRuntime"/>.</summary>
public enum UserVectorRuntimePreference
{
    /// <summary>The compiled graph when it accepts the model and agrees with ONNX Runtime on the probe histories; ONNX Runtime otherwise.</summary>
    Auto,

    /// <summary>Always ONNX Runtime.</summary>
    OnnxRuntime,
}

/// <summary>The runtime an engine chose and why, in words fit for an API or CLI.</summary>
public sealed record UserVectorRuntimeSelection(UserVectorRuntime Runtime, string Description);

/// <summary>
/// Chooses between ONNX Runtime and the compiled graph: compile (in the background from construction, so that it
/// overlaps the rest of the engine's set-up), then compare both on a fixed set of probe histories.
/// </summary>
internal sealed class UserVectorRuntimeSelector
{
    public const int ProbeCount = 64;

    /// <summary>
    /// Largest accepted |compiled − ONNX Runtime| per component, relative to max(1, |ONNX Runtime value|). Both evaluate
    /// the same float32 graph and differ only in summation order, FMA contraction and the sigmoid/tanh approximations,
    /// which leaves differences around 1e-7 after 50 LSTM steps; a structural mistake (gate order, a missing bias, a
    /// transposed weight) moves the output by 1e-2 or more.
    /// </summary>
    public const float Tolerance = 1e-5f;

    private const int ProbeSeed = 20260501;

    private readonly ModelBundleContent _content;
    private readonly Task<Compilation>? _compiling;

    private sealed record Compilation(CompiledUserVectorGraph? Graph, string Reason, double Milliseconds);

    public UserVectorRuntimeSelector(UserVectorRuntimePreference preference, ModelBundleContent content)
    {
        _content = content;
        if (preference == UserVectorRuntimePreference.Auto)
        {
            _compiling = Task.Run(() =>
            {
                var started = Stopwatch.GetTimestamp();
                CompiledUserVectorGraph.TryCompile(content.OnnxModel, content.Dim, out var graph, out var reason);
                return new Compilation(graph, reason, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            });
        }
    }

    /// <summary>Waits for the compilation and verifies it against <paramref name="reference"/>.</summary>
    public (CompiledUserVectorGraph? Compiled, UserVectorRuntimeSelection Selection) Select(UserVectorModel reference)
    {
        if (_compiling is null)
        {
            return (null, OnnxRuntime("chosen by the engine options"));
        }
        var (compiled, reason, compileMilliseconds) = _compiling.GetAwaiter().GetResult();
        if (compiled is null)
        {
            return (null, OnnxRuntime($"the compiled graph does not support this model: {reason}"));
        }
        if (compiled.MovieCount != _content.MovieCount)
        {
            return (null, OnnxRuntime($"the graph's movie table has {compiled.MovieCount} rows; the catalogue has {_content.MovieCount}"));
        }
        var started = Stopwatch.GetTimestamp();
        var (maxDifference, withinTolerance) = Compare(compiled, reference, _content);
        var verifyMilliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!withinTolerance)
        {
            return (null, OnnxRuntime($"the compiled graph differs from ONNX Runtime by up to {maxDifference:E2} on {ProbeCount} probe histories (tolerance {Tolerance:E0})"));
        }
        var layers = compiled.Layers == 1 ? "1 LSTM layer" : $"{compiled.Layers} LSTM layers";
        return (compiled, new UserVectorRuntimeSelection(UserVectorRuntime.Compiled,
            $"compiled graph ({layers}, H = {compiled.Hidden}; built in {compileMilliseconds:F0} ms, verified in {verifyMilliseconds:F0} ms): "
            + $"max |difference| from ONNX Runtime on {ProbeCount} probe histories {maxDifference:E2} (tolerance {Tolerance:E0})"));
    }

    /// <summary>
    /// Both runtimes on <see cref="ProbeCount"/> seeded histories: lengths 1, MaxHistory and random in between; graph
    /// part alternately the anonymous vector and a random known user's row.
    /// </summary>
    internal static (float MaxDifference, bool WithinTolerance) Compare(CompiledUserVectorGraph compiled, UserVectorModel reference, ModelBundleContent content)
    {
        var random = new Random(ProbeSeed);
        var dim = content.Dim;
        var history = new int[content.MaxHistory];
        var expected = new float[dim];
        var actual = new float[dim];
        var maxDifference = 0f;
        var withinTolerance = true;
        for (var probe = 0; probe < ProbeCount; probe++)
        {
            var length = probe switch { 0 => 1, 1 => content.MaxHistory, _ => 1 + random.Next(content.MaxHistory) };
            for (var step = 0; step < length; step++)
            {
                history[step] = random.Next(content.MovieCount);
            }
            var graphVector = probe % 2 == 0 || content.UserCount == 0
                ? content.AnonymousVector
                : content.UserTable.AsSpan(random.Next(content.UserCount) * dim, dim);
            reference.Compute(history.AsSpan(0, length), graphVector, expected);
            compiled.Compute(history.AsSpan(0, length), graphVector, actual);
            for (var d = 0; d < dim; d++)
            {
                var difference = Math.Abs(actual[d] - expected[d]);
                // Math.Max keeps a NaN, and a NaN fails the tolerance test.
                maxDifference = Math.Max(maxDifference, difference);
                withinTolerance &= difference <= Tolerance * Math.Max(1f, Math.Abs(expected[d]));
            }
        }
        return (maxDifference, withinTolerance);
    }

    private static UserVectorRuntimeSelection OnnxRuntime(string why) => new(UserVectorRuntime.OnnxRuntime, $"ONNX Runtime: {why}");
}
