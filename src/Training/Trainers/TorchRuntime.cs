using System.Runtime.InteropServices;
using Recommender.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Trainers;

/// <summary>Prepares TorchSharp for a training run: the native-library fix, OpenMP waiting, threads, device and seed.</summary>
internal static partial class TorchRuntime
{
    /// <summary>Everything but the seed: for loading a model without touching the random generator.</summary>
    public static void Prepare(int? threads)
    {
        TorchSharpNativeFix.EnsureTorchLoadable();
        PreferPassiveOpenMpWaiting();
        set_num_threads(threads ?? Environment.ProcessorCount);
    }

    public static Device Initialize(TrainingOptions options)
    {
        Prepare(options.Threads);
        var device = options.Device switch
        {
            "cpu" => CPU,
            "cuda" when cuda.is_available() => CUDA,
            "cuda" => throw new ArgumentException("TrainingOptions.Device is cuda, but TorchSharp reports no CUDA device.", nameof(options)),
            _ => cuda.is_available() ? CUDA : CPU,
        };
        manual_seed(options.Seed);
        return device;
    }

    /// <summary>
    /// libtorch's OpenMP threads spin while waiting by default; on a machine whose cores are shared with other
    /// processes that makes small ops (LSTM steps) several times slower than one thread. Passive waiting avoids it.
    /// libgomp reads the variable when it is loaded, so this must run before the first torch call, and it must go
    /// through the C library: .NET's Environment.SetEnvironmentVariable does not reach native getenv on Unix.
    /// An explicit OMP_WAIT_POLICY in the environment wins.
    /// </summary>
    private static void PreferPassiveOpenMpWaiting()
    {
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null)
        {
            _ = SetEnvironmentVariable("OMP_WAIT_POLICY", "PASSIVE", overwrite: 0);
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironmentVariable(string name, string value, int overwrite);
}
