using System.Text;
using Recommender.Training.Native;

namespace Recommender.Training.Tests.Native;

public sealed class ElfVersionNeedsTests
{
    [Fact]
    public void MarkWeak_sets_only_the_named_requirement_and_changes_one_byte()
    {
        var original = SyntheticElf.Build();
        var image = (byte[])original.Clone();

        var outcome = ElfVersionNeeds.MarkWeak(image, "GLIBCXX_3.4.32", "synthetic");

        Assert.Equal(WeakVersionOutcome.Patched, outcome);
        var needs = ElfVersionNeeds.Read(image, "synthetic");
        Assert.Equal(["GLIBCXX_3.4.30", "GLIBCXX_3.4.32", "GLIBC_2.34"], needs.Select(n => n.VersionName));
        Assert.Equal(["libstdc++.so.6", "libstdc++.so.6", "libc.so.6"], needs.Select(n => n.Dependency));
        Assert.Equal([false, true, false], needs.Select(n => n.IsWeak));
        var changed = Enumerable.Range(0, image.Length).Where(i => image[i] != original[i]).ToList();
        Assert.Equal([(int)needs[1].FlagsOffset], changed);
    }

    [Fact]
    public void MarkWeak_is_idempotent_and_reports_absent_versions()
    {
        var image = SyntheticElf.Build();
        ElfVersionNeeds.MarkWeak(image, "GLIBCXX_3.4.32", "synthetic");
        var once = (byte[])image.Clone();

        Assert.Equal(WeakVersionOutcome.AlreadyWeak, ElfVersionNeeds.MarkWeak(image, "GLIBCXX_3.4.32", "synthetic"));
        Assert.Equal(once, image);
        Assert.Equal(WeakVersionOutcome.NotRequired, ElfVersionNeeds.MarkWeak(image, "GLIBCXX_9.9", "synthetic"));
        Assert.Equal(once, image);
    }

    [Fact]
    public void Invalid_files_are_rejected_with_the_file_named()
    {
        var text = Encoding.ASCII.GetBytes(new string('x', 100));
        var notElf = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(text, "notes.txt"));
        Assert.Contains("notes.txt", notElf.Message);
        Assert.Contains("not an ELF file", notElf.Message);

        var elf32 = SyntheticElf.Build();
        elf32[4] = 1;
        var class32 = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.MarkWeak(elf32, "GLIBCXX_3.4.32", "lib32.so"));
        Assert.Contains("lib32.so: not a 64-bit ELF file", class32.Message);

        var truncated = SyntheticElf.Build()[..80];
        var cut = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(truncated, "cut.so"));
        Assert.Contains("outside the file", cut.Message);
    }

    [Fact]
    public void MarkWeakInFile_writes_once_and_keeps_the_modification_time()
    {
        using var folder = new TemporaryFolder();
        var path = Path.Combine(folder.Path, "libsynthetic.so");
        File.WriteAllBytes(path, SyntheticElf.Build());
        var stamp = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, stamp);

        Assert.Equal(WeakVersionOutcome.Patched, ElfVersionNeeds.MarkWeakInFile(path, "GLIBCXX_3.4.32"));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(path));
        var patched = File.ReadAllBytes(path);
        Assert.Equal(WeakVersionOutcome.AlreadyWeak, ElfVersionNeeds.MarkWeakInFile(path, "GLIBCXX_3.4.32"));
        Assert.Equal(patched, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(folder.Path));
    }

    [PackagedTorchSharpLibraryFact]
    public void Patching_a_copy_of_the_packaged_library_flips_exactly_the_GLIBCXX_3_4_32_flag()
    {
        using var folder = new TemporaryFolder();
        var path = Path.Combine(folder.Path, TorchSharpNativeFix.LibraryFileName);
        File.Copy(PackagedTorchSharpLibraryFactAttribute.PackagedLibraryPath, path);
        var original = File.ReadAllBytes(path);
        var before = ElfVersionNeeds.Read(original, path).Single(n => n.VersionName == TorchSharpNativeFix.MissingVersion);
        Assert.False(before.IsWeak);

        Assert.Equal(WeakVersionOutcome.Patched, TorchSharpNativeFix.Patch(path));
        var patched = File.ReadAllBytes(path);
        var after = ElfVersionNeeds.Read(patched, path);
        Assert.True(after.Single(n => n.VersionName == TorchSharpNativeFix.MissingVersion).IsWeak);
        Assert.All(after.Where(n => n.VersionName != TorchSharpNativeFix.MissingVersion), n => Assert.False(n.IsWeak));
        Assert.Equal(original.Length, patched.Length);
        var changed = Enumerable.Range(0, patched.Length).Where(i => patched[i] != original[i]).ToList();
        Assert.Equal([(int)before.FlagsOffset], changed);

        Assert.Equal(WeakVersionOutcome.AlreadyWeak, TorchSharpNativeFix.Patch(path));
        Assert.Equal(patched, File.ReadAllBytes(path));
    }
}

/// <summary>Runs only where the unpatched TorchSharp 0.107.0 native library is in the NuGet package cache.</summary>
public sealed class PackagedTorchSharpLibraryFactAttribute : FactAttribute
{
    public static string PackagedLibraryPath { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", TorchSharpNativeFix.LibraryFileName);

    public PackagedTorchSharpLibraryFactAttribute()
    {
        if (!File.Exists(PackagedLibraryPath))
        {
            Skip = $"{PackagedLibraryPath} is not in the NuGet package cache.";
        }
    }
}

internal sealed class TemporaryFolder : IDisposable
{
    public TemporaryFolder()
    {
        Path = Directory.CreateTempSubdirectory("recommender-tests-").FullName;
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>A minimal ELF64 little-endian image: a string table and a .gnu.version_r with two Verneed entries.</summary>
internal static class SyntheticElf
{
    public static byte[] Build()
    {
        var strings = new List<byte> { 0 };
        int Add(string text)
        {
            var offset = strings.Count;
            strings.AddRange(Encoding.ASCII.GetBytes(text));
            strings.Add(0);
            return offset;
        }
        var libstdcxx = Add("libstdc++.so.6");
        var glibcxx30 = Add("GLIBCXX_3.4.30");
        var glibcxx32 = Add("GLIBCXX_3.4.32");
        var libc = Add("libc.so.6");
        var glibc234 = Add("GLIBC_2.34");

        const int stringsOffset = 64;
        var verneedOffset = stringsOffset + strings.Count + 8 - (strings.Count % 8);
        var verneed = new byte[16 * 5];
        // Entry 0: libstdc++ with two Vernaux, next entry 48 bytes on.
        WriteVerneed(verneed, 0, count: 2, file: libstdcxx, aux: 16, next: 48);
        WriteVernaux(verneed, 16, name: glibcxx30, next: 16);
        WriteVernaux(verneed, 32, name: glibcxx32, next: 0);
        WriteVerneed(verneed, 48, count: 1, file: libc, aux: 16, next: 0);
        WriteVernaux(verneed, 64, name: glibc234, next: 0);

        var sectionTable = verneedOffset + verneed.Length;
        var image = new byte[sectionTable + 3 * 64];
        image[0] = 0x7f;
        image[1] = (byte)'E';
        image[2] = (byte)'L';
        image[3] = (byte)'F';
        image[4] = 2;
        image[5] = 1;
        image[6] = 1;
        WriteUInt64(image, 0x28, (ulong)sectionTable);
        WriteUInt16(image, 0x3A, 64);
        WriteUInt16(image, 0x3C, 3);
        strings.CopyTo(image, stringsOffset);
        verneed.CopyTo(image, verneedOffset);

        var stringHeader = sectionTable + 64;
        WriteUInt32(image, stringHeader + 4, 3);
        WriteUInt64(image, stringHeader + 24, stringsOffset);
        WriteUInt64(image, stringHeader + 32, (ulong)strings.Count);
        var verneedHeader = sectionTable + 128;
        WriteUInt32(image, verneedHeader + 4, 0x6ffffffe);
        WriteUInt64(image, verneedHeader + 24, (ulong)verneedOffset);
        WriteUInt64(image, verneedHeader + 32, (ulong)verneed.Length);
        WriteUInt32(image, verneedHeader + 40, 1);
        WriteUInt32(image, verneedHeader + 44, 2);
        return image;
    }

    private static void WriteVerneed(byte[] section, int at, int count, int file, int aux, int next)
    {
        WriteUInt16(section, at, 1);
        WriteUInt16(section, at + 2, (ushort)count);
        WriteUInt32(section, at + 4, (uint)file);
        WriteUInt32(section, at + 8, (uint)aux);
        WriteUInt32(section, at + 12, (uint)next);
    }

    private static void WriteVernaux(byte[] section, int at, int name, int next)
    {
        WriteUInt32(section, at + 8, (uint)name);
        WriteUInt32(section, at + 12, (uint)next);
    }

    private static void WriteUInt16(byte[] target, int at, ushort value) => BitConverter.TryWriteBytes(target.AsSpan(at), value);

    private static void WriteUInt32(byte[] target, int at, uint value) => BitConverter.TryWriteBytes(target.AsSpan(at), value);

    private static void WriteUInt64(byte[] target, int at, ulong value) => BitConverter.TryWriteBytes(target.AsSpan(at), value);
}
