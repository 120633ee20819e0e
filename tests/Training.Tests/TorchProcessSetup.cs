using System.Runtime.CompilerServices;
using Recommender.Training.Native;

namespace Recommender.Training.Tests;

internal static class TorchProcessSetup
{
    /// <summary>
    /// Any test may be the first to touch torch, and libtorch reads its environment (NativeEnvironment) at its first
    /// kernel: set it up when this assembly loads, before every test.
    /// </summary>
#pragma warning disable CA2255 // A test assembly is the one library whose load is the process's start.
    [ModuleInitializer]
    internal static void Initialize() => TorchSharpNativeFix.EnsureTorchLoadable();
#pragma warning restore CA2255
}
