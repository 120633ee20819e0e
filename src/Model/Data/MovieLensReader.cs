using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Recommender.Model.Data.Parsing;

namespace Recommender.Model.Data;

/// <summary>
/// Loads any MovieLens release (ml-latest family, ml-100k, ml-1m, ml-10m) from a folder, a release zip, a single
/// ratings file or any <see cref="IDatasetSource"/>. The format is detected from the file names.
/// </summary>
public static class MovieLensReader
{
    /// <summary>Loads a release folder, a release .zip, or a lone ratings file.</summary>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="IngestionException">The files are missing, empty or malformed (see the message).</exception>
    public static MovieLensDataset Load(string path, IngestionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path))
        {
            return Load(new FolderDatasetSource(path), options);
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No MovieLens data set folder, .zip or ratings file at '{path}'.", path);
        }
        if (Path.GetExtension(path).Equals(".zip", StringComparison.OrdinalIgnoreCase))
        {
            using var zip = new ZipDatasetSource(path);
            return Load(zip, options);
        }
        return Load(new SingleFileDatasetSource(path), options);
    }

    /// <exception cref="IngestionException">The files are missing, empty or malformed (see the message).</exception>
    public static MovieLensDataset Load(IDatasetSource source, IngestionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= IngestionOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxListedProblems, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDegreeOfParallelism, 1, nameof(options));

        var layout = ReleaseLayout.Detect(source, options.Format);
        var report = new IngestionReport { BadRowsSkipped = options.SkipBadRows };
        var log = new ProblemLog(source.Name, options);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var metadata = new MetadataReader(layout.Format, log, report, hash);
        RawRatings? ratings = null;
        IngestedFileReport? ratingsReport = null;
        Span<byte> lengthBytes = stackalloc byte[sizeof(long)];

        // Name order makes the fingerprint independent of how the source lists its files.
        foreach (var file in layout.Files.OrderBy(file => file.Name, StringComparer.Ordinal))
        {
            var fileReport = new IngestedFileReport(file.Name, file.Role.ToString().ToLowerInvariant());
            report.Files.Add(file.Name);
            report.FileReports.Add(fileReport);
            hash.AppendData(Encoding.UTF8.GetBytes(file.Name));
            hash.AppendData([0]);
            using (var stream = source.Open(file.Name))
            {
                if (file.Role == FileRole.Ratings)
                {
                    ratings = new RatingsFileParser(file.Name, layout.Format, options).Parse(stream, hash, fileReport, log, report);
                    ratingsReport = fileReport;
                }
                else
                {
                    metadata.Read(file, stream, fileReport);
                }
            }
            BinaryPrimitives.WriteInt64LittleEndian(lengthBytes, fileReport.Bytes);
            hash.AppendData(lengthBytes);
        }

        report.RowsRead = ratingsReport!.RowsRead;
        foreach (var (reason, count) in ratingsReport.SkippedByReason)
        {
            report.SkippedByReason[reason] = count;
        }
        if (log.Count > 0 && !options.SkipBadRows)
        {
            throw log.Fail(report);
        }
        log.CopyTo(report);

        var assembled = InteractionAssembler.Assemble(ratings!, options.MaxDegreeOfParallelism);
        ratingsReport.DuplicatesMerged = assembled.DuplicatesMerged;
        ratingsReport.RowsKept -= assembled.DuplicatesMerged;
        report.DuplicatesMerged = assembled.DuplicatesMerged;
        report.RowsKept = ratingsReport.RowsKept;

        return new MovieLensDataset
        {
            Name = source.Name,
            Format = layout.Format.Name,
            Scale = layout.Format.Scale,
            Interactions = assembled.Interactions,
            Users = assembled.Users,
            Items = assembled.Items,
            Movies = metadata.MoviesWithLinks(),
            UserProfiles = metadata.Users,
            Tags = metadata.TagsByMovie(),
            Fingerprint = Convert.ToHexStringLower(hash.GetHashAndReset()),
            Report = report,
        };
    }
}
