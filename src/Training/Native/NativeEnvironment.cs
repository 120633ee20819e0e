using System.Runtime.InteropServices;

namespace Recommender.Training.Native;

/// <summary>
/// Settings that libtorch's native libraries read from the environment once, when they first run: they must be in place
/// before the first torch call, and they go through the C library because .NET's Environment.SetEnvironmentVariable
/// does not reach native getenv on Unix. A value already in the environment wins.
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
    }

    private static void SetUnlessPresent(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is null)
        {
            _ = SetEnvironmentVariable(name, value, overwrite: 0);
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironmentVariable(string name, string value, int overwrite);
}
