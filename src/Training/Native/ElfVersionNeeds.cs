// This file is compiled twice: into Recommender.Training, and by MSBuild's RoslynCodeTaskFactory for the build-time
// patch (Native/TorchSharpNativeFix.targets). The second compilation targets netstandard2.0 reference assemblies,
// so the code keeps to byte arrays and BCL basics (no spans, records or newer APIs).
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Recommender.Training.Native;

/// <summary>What <see cref="ElfVersionNeeds.MarkWeak(byte[], string, string)"/> did to a version requirement.</summary>
public enum WeakVersionOutcome
{
    /// <summary>The flag was set (the image, or file, changed).</summary>
    Patched,

    /// <summary>Every requirement of that version was already weak; nothing changed.</summary>
    AlreadyWeak,

    /// <summary>The library does not require that version; nothing changed.</summary>
    NotRequired,
}

/// <summary>One Vernaux entry of an ELF .gnu.version_r section: a symbol version a library needs from a dependency.</summary>
public sealed class ElfVersionNeed
{
    public ElfVersionNeed(string dependency, string versionName, ushort flags, long flagsOffset)
    {
        Dependency = dependency;
        VersionName = versionName;
        Flags = flags;
        FlagsOffset = flagsOffset;
    }

    /// <summary>The file the version is needed from (for example libstdc++.so.6).</summary>
    public string Dependency { get; }

    public string VersionName { get; }

    /// <summary>vna_flags; <see cref="ElfVersionNeeds.WeakFlag"/> marks a requirement whose absence is not fatal.</summary>
    public ushort Flags { get; }

    /// <summary>File offset of the two-byte vna_flags field.</summary>
    public long FlagsOffset { get; }

    public bool IsWeak => (Flags & ElfVersionNeeds.WeakFlag) != 0;
}

/// <summary>
/// Reads and patches the version requirements (SHT_GNU_verneed) of a 64-bit little-endian ELF shared library.
/// Marking a requirement weak (VER_FLG_WEAK) makes the dynamic loader accept a dependency that lacks that
/// version, which is safe only when no relocation binds a symbol of that version.
/// </summary>
public static class ElfVersionNeeds
{
    public const ushort WeakFlag = 0x2;
    private const uint SectionTypeVersionNeed = 0x6ffffffe;
    private const int ElfHeaderSize = 64;
    private const int SectionHeaderSize = 64;
    private const int VerneedSize = 16;
    private const int VernauxSize = 16;

    /// <summary>All version requirements of the image, in file order.</summary>
    public static List<ElfVersionNeed> Read(byte[] image, string source)
    {
        var needs = new List<ElfVersionNeed>();
        var section = FindVersionNeedSection(image, source);
        if (section == null)
        {
            return needs;
        }
        var (offset, size, count, strings) = section.Value;
        var end = offset + size;
        var entry = offset;
        for (var i = 0; i < count; i++)
        {
            Require(entry >= offset && entry + VerneedSize <= end, source, "a Verneed entry lies outside .gnu.version_r");
            var auxCount = ReadUInt16(image, entry + 2);
            var dependency = ReadString(image, strings, ReadUInt32(image, entry + 4), source);
            var aux = entry + ReadUInt32(image, entry + 8);
            for (var j = 0; j < auxCount; j++)
            {
                Require(aux >= offset && aux + VernauxSize <= end, source, "a Vernaux entry lies outside .gnu.version_r");
                var flags = ReadUInt16(image, aux + 4);
                var name = ReadString(image, strings, ReadUInt32(image, aux + 8), source);
                needs.Add(new ElfVersionNeed(dependency, name, flags, aux + 4));
                var nextAux = ReadUInt32(image, aux + 12);
                if (nextAux == 0)
                {
                    break;
                }
                aux += nextAux;
            }
            var next = ReadUInt32(image, entry + 12);
            if (next == 0)
            {
                break;
            }
            entry += next;
        }
        return needs;
    }

    /// <summary>Sets the weak flag on every requirement named <paramref name="versionName"/> in the image.</summary>
    public static WeakVersionOutcome MarkWeak(byte[] image, string versionName, string source)
    {
        var outcome = WeakVersionOutcome.NotRequired;
        foreach (var need in Read(image, source))
        {
            if (need.VersionName != versionName)
            {
                continue;
            }
            if (need.IsWeak)
            {
                if (outcome == WeakVersionOutcome.NotRequired)
                {
                    outcome = WeakVersionOutcome.AlreadyWeak;
                }
                continue;
            }
            var flags = (ushort)(need.Flags | WeakFlag);
            image[need.FlagsOffset] = (byte)flags;
            image[need.FlagsOffset + 1] = (byte)(flags >> 8);
            outcome = WeakVersionOutcome.Patched;
        }
        return outcome;
    }

    /// <summary>
    /// Marks the version weak in the file. Writes only when something changes, through a temporary copy in the same
    /// folder that then replaces the original (so a hard link into a package cache is never modified), keeping the
    /// original permissions and modification time so that incremental build copies treat the patched file as current.
    /// </summary>
    public static WeakVersionOutcome MarkWeakInFile(string path, string versionName)
    {
        var image = File.ReadAllBytes(path);
        var outcome = MarkWeak(image, versionName, path);
        if (outcome != WeakVersionOutcome.Patched)
        {
            return outcome;
        }
        var lastWrite = File.GetLastWriteTimeUtc(path);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            // Copying first keeps the file's permissions on the replacement.
            File.Copy(path, temporary);
            using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.Write))
            {
                stream.Write(image, 0, image.Length);
            }
            File.SetLastWriteTimeUtc(temporary, lastWrite);
            File.Replace(temporary, path, null);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
        return outcome;
    }

    private static (long Offset, long Size, int Count, long StringTable)? FindVersionNeedSection(byte[] image, string source)
    {
        Require(image.Length >= ElfHeaderSize && image[0] == 0x7f && image[1] == (byte)'E' && image[2] == (byte)'L' && image[3] == (byte)'F',
            source, "not an ELF file (bad magic)");
        Require(image[4] == 2, source, "not a 64-bit ELF file (EI_CLASS " + image[4] + ")");
        Require(image[5] == 1, source, "not a little-endian ELF file (EI_DATA " + image[5] + ")");

        var sectionTable = ReadInt64(image, 0x28, source, "e_shoff");
        var entrySize = ReadUInt16(image, 0x3A);
        long sectionCount = ReadUInt16(image, 0x3C);
        if (sectionTable == 0)
        {
            return null;
        }
        Require(entrySize == SectionHeaderSize, source, "unexpected section header size " + entrySize);
        Require(sectionTable + SectionHeaderSize <= image.Length, source, "section header table lies outside the file");
        if (sectionCount == 0)
        {
            // Extended numbering: the real count is in section 0's sh_size.
            sectionCount = ReadInt64(image, sectionTable + 32, source, "sh_size of section 0");
        }
        Require(sectionTable + sectionCount * SectionHeaderSize <= image.Length, source, "section header table lies outside the file");

        for (long i = 0; i < sectionCount; i++)
        {
            var header = sectionTable + i * SectionHeaderSize;
            if (ReadUInt32(image, header + 4) != SectionTypeVersionNeed)
            {
                continue;
            }
            var offset = ReadInt64(image, header + 24, source, "sh_offset");
            var size = ReadInt64(image, header + 32, source, "sh_size");
            var link = ReadUInt32(image, header + 40);
            var count = ReadUInt32(image, header + 44);
            Require(offset + size <= image.Length, source, ".gnu.version_r lies outside the file");
            Require(link < sectionCount, source, ".gnu.version_r links to a missing string table");
            var stringHeader = sectionTable + link * SectionHeaderSize;
            var strings = ReadInt64(image, stringHeader + 24, source, "sh_offset of the string table");
            Require(strings < image.Length, source, "the version string table lies outside the file");
            return (offset, size, (int)Math.Min(count, int.MaxValue), strings);
        }
        return null;
    }

    private static string ReadString(byte[] image, long table, uint offset, string source)
    {
        var start = table + offset;
        Require(start < image.Length, source, "a version name lies outside the file");
        var end = start;
        while (end < image.Length && image[end] != 0)
        {
            end++;
        }
        Require(end < image.Length, source, "a version name is not terminated");
        return Encoding.ASCII.GetString(image, (int)start, (int)(end - start));
    }

    private static ushort ReadUInt16(byte[] image, long offset) => (ushort)(image[offset] | (image[offset + 1] << 8));

    private static uint ReadUInt32(byte[] image, long offset) =>
        image[offset] | ((uint)image[offset + 1] << 8) | ((uint)image[offset + 2] << 16) | ((uint)image[offset + 3] << 24);

    private static long ReadInt64(byte[] image, long offset, string source, string field)
    {
        var value = ReadUInt32(image, offset) | ((ulong)ReadUInt32(image, offset + 4) << 32);
        Require(value <= int.MaxValue, source, field + " is out of range (" + value + ")");
        return (long)value;
    }

    private static void Require(bool condition, string source, string problem)
    {
        if (!condition)
        {
            throw new InvalidDataException(source + ": " + problem + ".");
        }
    }
}

#if !RECOMMENDER_TRAINING_ASSEMBLY
/// <summary>MSBuild task (compiled by RoslynCodeTaskFactory): marks a symbol version weak in each given library.</summary>
public sealed class MarkElfVersionWeak : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required]
    public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

    [Microsoft.Build.Framework.Required]
    public string VersionName { get; set; } = "";

    public override bool Execute()
    {
        foreach (var file in Files)
        {
            try
            {
                var outcome = ElfVersionNeeds.MarkWeakInFile(file.ItemSpec, VersionName);
                var importance = outcome == WeakVersionOutcome.Patched
                    ? Microsoft.Build.Framework.MessageImportance.High
                    : Microsoft.Build.Framework.MessageImportance.Low;
                Log.LogMessage(importance, "{0}: {1} {2}", file.ItemSpec, VersionName, outcome);
            }
            catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException)
            {
                Log.LogError("{0}: cannot mark {1} weak: {2}", file.ItemSpec, VersionName, exception.Message);
            }
        }
        return !Log.HasLoggedErrors;
    }
}
#endif
