using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace Recommender.Model.Bundle;

/// <summary>
/// Writes a model bundle folder. Files go to a hidden sibling folder first, which is renamed to the final name only
/// once every file and the manifest are complete, so a half-written bundle never appears under the final name.
/// </summary>
public static class BundleWriter
{
    /// <summary>Writes <paramref name="content"/> to <paramref name="bundleDirectory"/>, which must not exist yet.</summary>
    /// <param name="createdUtc">Creation time recorded in the manifest and model version; now when omitted.</param>
    public static BundleManifest Write(ModelBundleContent content, string bundleDirectory, DateTimeOffset? createdUtc = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrWhiteSpace(bundleDirectory);
        if (content.FindProblem() is { } problem)
        {
            throw new ArgumentException($"Bundle content is inconsistent: {problem.File}: {problem.Problem}", nameof(content));
        }

        var finalPath = Path.GetFullPath(bundleDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        if (Directory.Exists(finalPath) || File.Exists(finalPath))
        {
            throw new IOException($"Cannot write the model bundle: '{finalPath}' already exists.");
        }
        var parent = Path.GetDirectoryName(finalPath) ?? throw new ArgumentException($"'{finalPath}' has no parent folder.", nameof(bundleDirectory));
        Directory.CreateDirectory(parent);
        var stagingPath = Path.Combine(parent, $".{Path.GetFileName(finalPath)}.partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(stagingPath);
        try
        {
            var manifest = WriteFiles(content, stagingPath, (createdUtc ?? DateTimeOffset.UtcNow).ToUniversalTime());
            Directory.Move(stagingPath, finalPath);
            return manifest;
        }
        catch
        {
            Directory.Delete(stagingPath, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Replaces the evaluation metrics recorded in a written bundle's manifest (a candidate is evaluated from its own
    /// bundle, after it was written). Only manifest.json changes; the new one replaces the old in one rename.
    /// </summary>
    public static BundleManifest ReplaceMetrics(string bundleDirectory, IReadOnlyDictionary<string, double> metrics)
    {
        var path = Path.Combine(bundleDirectory, BundleFiles.Manifest);
        var manifest = JsonSerializer.Deserialize<BundleManifest>(File.ReadAllBytes(path), BundleManifest.SerializerOptions)
            ?? throw new InvalidDataException($"{path}: empty manifest.");
        var updated = manifest with { Metrics = new SortedDictionary<string, double>(metrics.ToDictionary(), StringComparer.Ordinal) };
        var staging = path + ".new";
        File.WriteAllBytes(staging, JsonSerializer.SerializeToUtf8Bytes(updated, BundleManifest.SerializerOptions));
        File.Move(staging, path, overwrite: true);
        return updated;
    }

    private static BundleManifest WriteFiles(ModelBundleContent content, string folder, DateTimeOffset createdUtc)
    {
        int users = content.UserCount, movies = content.MovieCount, dim = content.Dim, k = content.PrecomputedCount;
        var files = new Dictionary<string, BundleFileEntry>(StringComparer.Ordinal)
        {
            [BundleFiles.Model] = WriteBytes(folder, BundleFiles.Model, content.OnnxModel),
            [BundleFiles.MovieTable] = WriteTable(folder, BundleFiles.MovieTable, content.MovieTable, movies, dim),
            [BundleFiles.Movies] = WriteBytes(folder, BundleFiles.Movies, JsonSerializer.SerializeToUtf8Bytes(content.Movies, BundleManifest.CompactSerializerOptions)),
            [BundleFiles.UserTable] = WriteTable(folder, BundleFiles.UserTable, content.UserTable, users, dim),
            [BundleFiles.UserIds] = WriteTable(folder, BundleFiles.UserIds, content.UserIds, users),
            [BundleFiles.HistoryOffsets] = WriteTable(folder, BundleFiles.HistoryOffsets, content.History.Offsets, users + 1),
            [BundleFiles.History] = WriteTable(folder, BundleFiles.History, content.History.Values, content.History.Values.Length),
            [BundleFiles.SeenOffsets] = WriteTable(folder, BundleFiles.SeenOffsets, content.Seen.Offsets, users + 1),
            [BundleFiles.Seen] = WriteTable(folder, BundleFiles.Seen, content.Seen.Values, content.Seen.Values.Length),
            [BundleFiles.PopularityItems] = WriteTable(folder, BundleFiles.PopularityItems, content.PopularityItems, content.PopularityItems.Length),
            [BundleFiles.PopularityScores] = WriteTable(folder, BundleFiles.PopularityScores, content.PopularityScores, content.PopularityScores.Length),
            [BundleFiles.PrecomputedItems] = WriteTable(folder, BundleFiles.PrecomputedItems, content.PrecomputedItems, users, k),
            [BundleFiles.PrecomputedScores] = WriteTable(folder, BundleFiles.PrecomputedScores, content.PrecomputedScores, users, k),
        };

        var manifest = new BundleManifest
        {
            SchemaVersion = BundleManifest.CurrentSchemaVersion,
            ModelVersion = BundleManifest.CreateModelVersion(createdUtc, content.DatasetFingerprint),
            CreatedUtc = createdUtc,
            DatasetFingerprint = content.DatasetFingerprint,
            Dim = dim,
            MaxHistory = content.MaxHistory,
            MovieCount = movies,
            UserCount = users,
            PrecomputedCount = k,
            HyperParameters = new SortedDictionary<string, string>(content.HyperParameters.ToDictionary(), StringComparer.Ordinal),
            Metrics = new SortedDictionary<string, double>(content.Metrics.ToDictionary(), StringComparer.Ordinal),
            AnonymousVector = content.AnonymousVector,
            SessionFoldIn = content.SessionFoldIn,
            DataEndUtc = content.DataEndUtc?.ToUniversalTime(),
            Files = files,
        };
        WriteBytes(folder, BundleFiles.Manifest, JsonSerializer.SerializeToUtf8Bytes(manifest, BundleManifest.SerializerOptions));
        return manifest;
    }

    private static BundleFileEntry WriteTable<T>(string folder, string name, T[] values, params long[] shape) where T : unmanaged
    {
        var entry = WriteBytes(folder, name, MemoryMarshal.AsBytes(values.AsSpan()));
        return entry with { ElementType = ElementTypeOf<T>(), Shape = shape };
    }

    internal static string ElementTypeOf<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? BundleElementTypes.Float32
        : typeof(T) == typeof(int) ? BundleElementTypes.Int32
        : throw new NotSupportedException($"Bundle tables hold float32 or int32, not {typeof(T).Name}.");

    private static BundleFileEntry WriteBytes(string folder, string name, ReadOnlySpan<byte> bytes)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Bundle tables are little-endian; this platform is not.");
        }
        using (var stream = new FileStream(Path.Combine(folder, name), FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        return new BundleFileEntry { Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), Bytes = bytes.Length };
    }
}
