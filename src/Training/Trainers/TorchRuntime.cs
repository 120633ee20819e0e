using Recommender.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Trainers;

/// <summary>Prepares TorchSharp for a training run: the native-library fix and environment, threads, device and seed.</summary>
internal static class TorchRuntime
{
    /// <summary>Everything but the seed: for loading a model without touching the random generator.</summary>
    public static void Prepare(int? threads)
    {
        TorchSharpNativeFix.EnsureTorchLoadable();
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
}
