using System.Runtime.InteropServices;
using TorchSharp;

namespace Recommender.Training.Native;

/// <summary>
/// Makes TorchSharp's native library loadable on Linux distributions whose libstdc++ predates GLIBCXX_3.4.32
/// (Debian 12, Ubuntu 22.04). libLibTorchSharp.so 0.107 requires that version only for
/// _ZSt21ios_base_library_initv, which no relocation binds, so marking the requirement weak is safe.
/// The build does the same to its output folders (TorchSharpNativeFix.targets); this covers the rest.
/// Call <see cref="EnsureTorchLoadable"/> before the first use of <c>torch</c>: a failed native load makes
/// TorchSharp fall back to copying ~500 MB of libtorch into a folder next to TorchSharp.dll.
/// </summary>
public static class TorchSharpNativeFix
{
    public const string LibraryFileName = "libLibTorchSharp.so";
    public const string MissingVersion = "GLIBCXX_3.4.32";

    private static readonly Lock Gate = new();
    private static IReadOnlyList<string>? _checked;

    /// <summary>
    /// Sets the native libraries' environment (<see cref="NativeEnvironment"/>) and patches every copy of
    /// libLibTorchSharp.so that TorchSharp may load in this process (idempotent; runs once).
    /// Returns the files that were checked. Throws <see cref="InvalidOperationException"/> naming the file when a copy
    /// needs the patch but cannot be rewritten.
    /// </summary>
    public static IReadOnlyList<string> EnsureTorchLoadable()
    {
        NativeEnvironment.Apply();
        if (!OperatingSystem.IsLinux())
        {
            return [];
        }
        lock (Gate)
        {
            if (_checked is not null)
            {
                return _checked;
            }
            var files = CandidatePaths().Where(File.Exists).ToList();
            foreach (var file in files)
            {
                Patch(file);
            }
            _checked = files;
            return files;
        }
    }

    /// <summary>Marks GLIBCXX_3.4.32 weak in one library file, with a clear error when the file cannot be rewritten.</summary>
    public static WeakVersionOutcome Patch(string path)
    {
        try
        {
            return ElfVersionNeeds.MarkWeakInFile(path, MissingVersion);
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException || (exception is IOException && exception is not InvalidDataException))
        {
            throw new InvalidOperationException(
                $"{path}: TorchSharp's native library needs its {MissingVersion} requirement marked weak to load with this " +
                $"system's libstdc++, but the file cannot be rewritten ({exception.Message}). Build or publish the project " +
                "so that the build patches its output, or make the folder writable.", exception);
        }
    }

    /// <summary>Where TorchSharp's regular load looks: the app folder, its runtimes/RID/native, and TorchSharp.dll's folder.</summary>
    private static IEnumerable<string> CandidatePaths()
    {
        var rid = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.Arm64 => "linux-arm64",
            _ => "linux-x64",
        };
        var folders = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(torch).Assembly.Location) }
            .Where(folder => !string.IsNullOrEmpty(folder))
            .Select(folder => Path.GetFullPath(folder!))
            .Distinct(StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            yield return Path.Combine(folder, LibraryFileName);
            yield return Path.Combine(folder, "runtimes", rid, "native", LibraryFileName);
        }
    }
}
