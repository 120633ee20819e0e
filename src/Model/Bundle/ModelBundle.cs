using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace Recommender.Model.Bundle;

/// <summary>
/// A loaded and verified model bundle. <see cref="Load"/> checks the schema, every file's presence, size against its
/// shape and SHA-256, and the consistency of the parts, and throws a <see cref="BundleValidationException"/>
/// naming the file at the first problem.
/// </summary>
public sealed class ModelBundle
{
    private const int ReadChunkBytes = 1 << 20;

    private ModelBundle(string directory, BundleManifest manifest, ModelBundleContent content)
    {
        Directory = directory;
        Manifest = manifest;
        Content = content;
    }

    public string Directory { get; }
    public BundleManifest Manifest { get; }
    public ModelBundleContent Content { get; }

    public static ModelBundle Load(string bundleDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bundleDirectory);
        var directory = Path.GetFullPath(bundleDirectory);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new BundleValidationException(directory, ".", "the bundle folder does not exist");
        }
        var reader = new Reader(directory, ReadManifest(directory));
        return new ModelBundle(directory, reader.Manifest, reader.ReadContent());
    }

    private static BundleManifest ReadManifest(string directory)
    {
        var path = Path.Combine(directory, BundleFiles.Manifest);
        if (!File.Exists(path))
        {
            throw new BundleValidationException(directory, BundleFiles.Manifest, "missing");
        }
        var bytes = File.ReadAllBytes(path);
        int schemaVersion;
        try
        {
            // The version is read on its own first: a newer schema may not deserialize as this one.
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("schemaVersion", out var version)
                || !version.TryGetInt32(out schemaVersion))
            {
                throw new BundleValidationException(directory, BundleFiles.Manifest, "malformed manifest: no integer 'schemaVersion'");
            }
        }
        catch (JsonException exception)
        {
            throw new BundleValidationException(directory, BundleFiles.Manifest, $"malformed manifest JSON: {exception.Message}", exception);
        }
        if (schemaVersion > BundleManifest.CurrentSchemaVersion)
        {
            throw new BundleValidationException(directory, BundleFiles.Manifest,
                $"schema version {schemaVersion} is newer than the newest this reader supports ({BundleManifest.CurrentSchemaVersion}); update the engine");
        }
        if (schemaVersion < 1)
        {
            throw new BundleValidationException(directory, BundleFiles.Manifest, $"schema version {schemaVersion} is not valid");
        }
        try
        {
            var manifest = JsonSerializer.Deserialize<BundleManifest>(bytes, BundleManifest.SerializerOptions);
            var nullField = manifest switch
            {
                null => "the manifest",
                { ModelVersion: null } => "modelVersion",
                { DatasetFingerprint: null } => "datasetFingerprint",
                { HyperParameters: null } => "hyperParameters",
                { Metrics: null } => "metrics",
                { AnonymousVector: null } => "anonymousVector",
                { Files: null } => "files",
                _ => null,
            };
            return nullField is null
                ? manifest!
                : throw new BundleValidationException(directory, BundleFiles.Manifest, $"malformed manifest: '{nullField}' is null");
        }
        catch (JsonException exception)
        {
            throw new BundleValidationException(directory, BundleFiles.Manifest, $"malformed manifest JSON: {exception.Message}", exception);
        }
    }

    private sealed class Reader(string directory, BundleManifest manifest)
    {
        public BundleManifest Manifest => manifest;

        public ModelBundleContent ReadContent()
        {
            int users = manifest.UserCount, movies = manifest.MovieCount, dim = manifest.Dim, k = manifest.PrecomputedCount;
            if (users < 0 || movies < 0 || dim <= 0 || k < 0)
            {
                throw Invalid(BundleFiles.Manifest, $"counts must not be negative (movieCount {movies}, userCount {users}, dim {dim}, precomputedCount {k})");
            }
            foreach (var name in BundleFiles.Required)
            {
                if (!manifest.Files.TryGetValue(name, out var entry) || entry is null)
                {
                    throw Invalid(name, $"not listed in {BundleFiles.Manifest}");
                }
            }

            // Sizes and shapes are checked file by file first; then the reads and checksums run in parallel.
            var onnx = PlanBytes(BundleFiles.Model);
            var movieTable = PlanTable<float>(BundleFiles.MovieTable, movies, dim);
            var catalogueBytes = PlanBytes(BundleFiles.Movies);
            var userTable = PlanTable<float>(BundleFiles.UserTable, users, dim);
            var userIds = PlanTable<int>(BundleFiles.UserIds, users);
            var historyOffsets = PlanTable<int>(BundleFiles.HistoryOffsets, users + 1);
            var history = PlanTable<int>(BundleFiles.History, null);
            var seenOffsets = PlanTable<int>(BundleFiles.SeenOffsets, users + 1);
            var seen = PlanTable<int>(BundleFiles.Seen, null);
            var popularityItems = PlanTable<int>(BundleFiles.PopularityItems, null);
            var popularityScores = PlanTable<float>(BundleFiles.PopularityScores, popularityItems.Length);
            var precomputedItems = PlanTable<int>(BundleFiles.PrecomputedItems, users, k);
            var precomputedScores = PlanTable<float>(BundleFiles.PrecomputedScores, users, k);
            ReadPlanned();
            var catalogue = ParseCatalogue(catalogueBytes);
            var content = new ModelBundleContent
            {
                OnnxModel = onnx,
                Dim = dim,
                MaxHistory = manifest.MaxHistory,
                MovieTable = movieTable,
                Movies = catalogue,
                UserTable = userTable,
                UserIds = userIds,
                History = Ragged(BundleFiles.HistoryOffsets, historyOffsets, history),
                Seen = Ragged(BundleFiles.SeenOffsets, seenOffsets, seen),
                PopularityItems = popularityItems,
                PopularityScores = popularityScores,
                PrecomputedCount = k,
                PrecomputedItems = precomputedItems,
                PrecomputedScores = precomputedScores,
                AnonymousVector = manifest.AnonymousVector,
                SessionFoldIn = manifest.SessionFoldIn,
                DataEndUtc = manifest.DataEndUtc,
                DatasetFingerprint = manifest.DatasetFingerprint,
                HyperParameters = manifest.HyperParameters,
                Metrics = manifest.Metrics,
            };
            if (catalogue.Count != movies)
            {
                throw Invalid(BundleFiles.Movies, $"holds {catalogue.Count} movies; the manifest says movieCount {movies}");
            }
            if (content.FindProblem() is { } problem)
            {
                throw Invalid(problem.File, problem.Problem);
            }
            return content;
        }

        private IReadOnlyList<BundleMovie> ParseCatalogue(byte[] bytes)
        {
            try
            {
                return JsonSerializer.Deserialize<BundleMovie[]>(bytes, BundleManifest.SerializerOptions)
                    ?? throw Invalid(BundleFiles.Movies, "malformed catalogue: null");
            }
            catch (JsonException exception)
            {
                throw Invalid(BundleFiles.Movies, $"malformed catalogue JSON: {exception.Message}");
            }
        }

        private RaggedIndexTable Ragged(string offsetsFile, int[] offsets, int[] values) =>
            RaggedIndexTable.FindProblem(offsets, values.Length) is { } problem
                ? throw Invalid(offsetsFile, problem)
                : new RaggedIndexTable(offsets, values);

        private readonly List<(string Name, Action Read)> _plannedReads = [];

        private byte[] PlanBytes(string name)
        {
            var entry = manifest.Files[name];
            var bytes = new byte[CheckedLength(name, entry, entry.Bytes)];
            _plannedReads.Add((name, () => ReadVerified(name, entry, bytes)));
            return bytes;
        }

        /// <summary>Checks a table's manifest entry and file size and allocates it; <see cref="ReadPlanned"/> fills it.</summary>
        /// <param name="expectedShape">The shape the manifest's counts imply; null where only the rank (1) is fixed.</param>
        private T[] PlanTable<T>(string name, params long[]? expectedShape) where T : unmanaged
        {
            var entry = manifest.Files[name];
            var elementType = BundleWriter.ElementTypeOf<T>();
            if (entry.ElementType != elementType)
            {
                throw Invalid(name, $"element type '{entry.ElementType}' where {elementType} is expected");
            }
            var shape = entry.Shape ?? throw Invalid(name, "the manifest gives no shape");
            if (expectedShape is null ? shape.Length != 1 : !shape.AsSpan().SequenceEqual(expectedShape))
            {
                var expected = expectedShape is null ? "[n]" : $"[{string.Join(", ", expectedShape)}]";
                throw Invalid(name, $"shape [{string.Join(", ", shape)}] disagrees with the manifest's counts (expected {expected})");
            }
            long count = 1;
            foreach (var size in shape)
            {
                count = size < 0 ? throw Invalid(name, $"negative dimension in shape [{string.Join(", ", shape)}]") : checked(count * size);
            }
            var elementSize = Marshal.SizeOf<T>();
            var length = CheckedLength(name, entry, checked(count * elementSize));
            var table = GC.AllocateUninitializedArray<T>((int)(length / elementSize));
            _plannedReads.Add((name, () => ReadVerified(name, entry, MemoryMarshal.AsBytes(table.AsSpan()))));
            return table;
        }

        /// <summary>Reads and verifies every planned file, largest first; reports the first failure in plan order.</summary>
        private void ReadPlanned()
        {
            var failures = new Exception?[_plannedReads.Count];
            var bySize = Enumerable.Range(0, _plannedReads.Count)
                .OrderByDescending(index => manifest.Files[_plannedReads[index].Name].Bytes).ToArray();
            Parallel.ForEach(Partitioner.Create(bySize, loadBalance: true), index =>
            {
                try
                {
                    _plannedReads[index].Read();
                }
                catch (Exception exception)
                {
                    failures[index] = exception;
                }
            });
            if (failures.FirstOrDefault(failure => failure is not null) is { } first)
            {
                ExceptionDispatchInfo.Throw(first);
            }
        }

        /// <summary>The file's size after checking it exists and matches what the manifest says it holds.</summary>
        private long CheckedLength(string name, BundleFileEntry entry, long expectedBytes)
        {
            var info = new FileInfo(Path.Combine(directory, name));
            if (!info.Exists)
            {
                throw Invalid(name, "missing");
            }
            if (entry.Bytes != expectedBytes)
            {
                throw Invalid(name, $"the manifest lists {entry.Bytes} bytes but its shape needs {expectedBytes}");
            }
            if (info.Length != expectedBytes)
            {
                var what = entry.Shape is null ? "" : $" for shape [{string.Join(", ", entry.Shape)}] of {entry.ElementType}";
                throw Invalid(name, $"holds {info.Length} bytes; expected {expectedBytes}{what} (truncated or wrong size)");
            }
            if (expectedBytes > Array.MaxLength)
            {
                throw Invalid(name, $"{expectedBytes} bytes is more than one array can hold");
            }
            return expectedBytes;
        }

        private void ReadVerified(string name, BundleFileEntry entry, Span<byte> destination)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using (var stream = new FileStream(Path.Combine(directory, name), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan))
            {
                var offset = 0;
                while (offset < destination.Length)
                {
                    var chunk = destination.Slice(offset, Math.Min(ReadChunkBytes, destination.Length - offset));
                    var read = stream.ReadAtLeast(chunk, chunk.Length, throwOnEndOfStream: false);
                    if (read < chunk.Length)
                    {
                        throw Invalid(name, $"ended after {offset + read} of {destination.Length} bytes (truncated while reading)");
                    }
                    hash.AppendData(chunk);
                    offset += read;
                }
            }
            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (!string.Equals(actual, entry.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw Invalid(name, $"checksum mismatch: manifest SHA-256 {entry.Sha256}, file {actual} (damaged or replaced)");
            }
        }

        private BundleValidationException Invalid(string name, string problem) => new(directory, name, problem);
    }
}
