using System.Runtime.InteropServices;

namespace Recommender.Training.Native;

/// <summary>
/// Settings for the native code under libtorch: environment variables its libraries read once, when they first run
/// (they must be in place before the first torch call, and they go through the C library because .NET's
/// Environment.SetEnvironmentVariable does not reach native getenv on Unix; a value already in the environment wins),
/// and how the C library's allocator, which libtorch's CPU tensors come from, hands memory back.
/// </summary>
internal static partial class NativeEnvironment
{
    public static void Apply()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        // libtorch's OpenMP threads spin while waiting by default; on a machine whose cores are shared with other
        // processes that makes small ops (LSTM steps) several times slower than one thread.
        SetUnlessPresent("OMP_WAIT_POLICY", "PASSIVE");
        // The oneDNN 3.7.1 inside TorchSharp-cpu 0.107.0's libtorch computes inference-mode LSTMs wrongly on AVX-512
        // CPUs when the hidden size is 16 or less (kernel rnn,brgemm:avx512_core,forward_inference: the state is off by
        // 1e-2 to 2e-1 after one step, against 1e-8 for hidden 17 and up, or for its AVX2 kernel at any size; training
        // passes use a reference kernel and are right). Validation, test metrics and the saved scorer run in inference
        // mode, so oneDNN is held to AVX2. InferenceContractTests fails on AVX-512 CPUs without this.
        SetUnlessPresent("DNNL_MAX_CPU_ISA", "AVX2");
        KeepFreedMemory();
    }

    /// <summary>
    /// A training step allocates tensors of tens to hundreds of MB and frees them at its end. glibc serves blocks above
    /// its mmap threshold (at most 32 MB by default) with fresh mappings and unmaps them on free, so every step faulted
    /// in and zeroed all of its memory again: at ML-20M size the kernel's time equalled libtorch's (472.6 s system,
    /// 472.6 s user). Served from the heap, and with the heap not trimmed back, the next step reuses the same pages
    /// (5 M ratings, `train-epoch --rows 5000000`, back to back: joint epoch 77.8 / 71.4 → 55.4 / 50.6 s, minor faults
    /// 22.6 / 18.8 M → 1.3 M). Freed blocks then stay in the process with their holes, so the step sizes count a step
    /// twice (<see cref="Trainers.StepSizing"/>) and <see cref="Trainers.FreedMemoryRelease"/> hands them back before
    /// the budget would be passed. Unless GLIBC_TUNABLES already sets the allocator.
    /// </summary>
    private static void KeepFreedMemory()
    {
        if (Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is not null)
        {
            return;
        }
        _ = SetAllocatorParameter(MallocMmapMax, 0);
        _ = SetAllocatorParameter(MallocTrimThreshold, int.MaxValue);
    }

    /// <summary>Hands the free memory the C allocator keeps back to the system (all of it that whole pages allow).</summary>
    public static void ReleaseFreedMemory()
    {
        if (OperatingSystem.IsLinux())
        {
            _ = ReleaseFreeAllocatorMemory(0);
        }
    }

    private const int MallocTrimThreshold = -1;
    private const int MallocMmapMax = -4;

    private static void SetUnlessPresent(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is null)
        {
            _ = SetEnvironmentVariable(name, value, overwrite: 0);
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int SetAllocatorParameter(int parameter, int value);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int ReleaseFreeAllocatorMemory(nuint pad);

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironmentVariable(string name, string value, int overwrite);
}
