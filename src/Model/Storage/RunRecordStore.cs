using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Recommender.Model.Storage;

/// <summary>Run records: saved (created or replaced), read one by id, listed newest first.</summary>
public interface IRunRecordStore
{
    Task SaveAsync(RunRecord record, CancellationToken cancellationToken = default);

    /// <summary>The record, or null when there is none with that id.</summary>
    Task<RunRecord?> GetAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>The newest <paramref name="count"/> records by start time.</summary>
    Task<IReadOnlyList<RunRecord>> ListRecentAsync(int count, CancellationToken cancellationToken = default);
}

/// <summary><see cref="IRunRecordStore"/> as JSON blobs <c>&lt;yyyy&gt;/&lt;MM&gt;/&lt;runId&gt;.json</c> in the runs container.</summary>
public sealed partial class RunRecordStore : IRunRecordStore
{
    private const int ParallelDownloads = 8;

    /// <summary>How a record is written and read: the shape of the run record that POST /api/retrain answers with.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    private readonly BlobContainerClient _container;
    private volatile bool _containerExists;

    public RunRecordStore(BlobContainerClient runsContainer)
    {
        ArgumentNullException.ThrowIfNull(runsContainer);
        _container = runsContainer;
    }

    /// <summary>"2025/01/20250102-030405-1a2b3c4d.json" for run "20250102-030405-1a2b3c4d".</summary>
    /// <exception cref="ArgumentException">The id does not start with a valid "yyyyMMdd-HHmmss-" time.</exception>
    public static string BlobNameOf(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        var match = RunIdPattern().Match(runId);
        if (!match.Success || !DateTime.TryParseExact(runId[..15], "yyyyMMdd'-'HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            throw new ArgumentException(
                $"Run id '{runId}' is not of the form yyyyMMdd-HHmmss-SUFFIX (UTC start time, then up to 64 letters, digits or '-'); use {nameof(RunRecord)}.{nameof(RunRecord.NewRunId)}.",
                nameof(runId));
        }
        return $"{match.Groups["year"].Value}/{match.Groups["month"].Value}/{runId}.json";
    }

    public static string Serialize(RunRecord record) => JsonSerializer.Serialize(record, JsonOptions);

    /// <summary>Reads what <see cref="Serialize"/> wrote (for example to answer an HTTP request with a record).</summary>
    /// <exception cref="InvalidDataException">The text is not a run record.</exception>
    public static RunRecord Deserialize(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<RunRecord>(json, JsonOptions) ?? throw new InvalidDataException("The run record is JSON null.");
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"Not a valid run record: {error.Message}", error);
        }
    }

    public async Task SaveAsync(RunRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var blob = _container.GetBlobClient(BlobNameOf(record.RunId));
        if (!_containerExists)
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            _containerExists = true;
        }
        var options = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } };
        await blob.UploadAsync(BinaryData.FromString(Serialize(record)), options, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RunRecord?> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(BlobNameOf(runId));
        try
        {
            return await ReadAsync(blob, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<RunRecord>> ListRecentAsync(int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var names = new List<string>();
        try
        {
            await foreach (var blob in _container.GetBlobsAsync(new GetBlobsOptions(), cancellationToken).ConfigureAwait(false))
            {
                if (RecordBlobPattern().IsMatch(blob.Name))
                {
                    names.Add(blob.Name);
                }
            }
        }
        catch (RequestFailedException error) when (error.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            return [];
        }
        // Year/month folders, then ids that start with the time to the second: ordinal order is start-time order
        // except within one second, so the runs of the count-th run's second are read too and ordered by StartedAt.
        var ordered = names.OrderDescending(StringComparer.Ordinal).ToList();
        var newest = ordered.Take(count).ToList();
        if (newest.Count == count)
        {
            var lastSecond = StartSecondOf(newest[^1]);
            newest.AddRange(ordered.Skip(count).TakeWhile(name => StartSecondOf(name) == lastSecond));
        }
        var records = new RunRecord?[newest.Count];
        await Parallel.ForAsync(0, newest.Count, new ParallelOptions { MaxDegreeOfParallelism = ParallelDownloads, CancellationToken = cancellationToken }, async (index, token) =>
        {
            try
            {
                records[index] = await ReadAsync(_container.GetBlobClient(newest[index]), token).ConfigureAwait(false);
            }
            catch (RequestFailedException error) when (error.Status == 404)
            {
                // Deleted since the listing.
            }
        }).ConfigureAwait(false);
        return [.. records.OfType<RunRecord>().OrderByDescending(record => record.StartedAt).Take(count)];
    }

    /// <summary>"yyyy/MM/yyyyMMdd-HHmmss" of a record blob's name.</summary>
    private static string StartSecondOf(string blobName) => blobName[..(8 + 15)];

    private async Task<RunRecord> ReadAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        var content = (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
        try
        {
            return content.ToObjectFromJson<RunRecord>(JsonOptions)
                ?? throw new InvalidDataException($"Run record '{_container.Name}/{blob.Name}' is JSON null.");
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"Run record '{_container.Name}/{blob.Name}' is not a valid run record: {error.Message}", error);
        }
    }

    [GeneratedRegex(@"^(?<year>\d{4})(?<month>\d{2})\d{2}-\d{6}-[A-Za-z0-9-]{1,64}$")]
    private static partial Regex RunIdPattern();

    [GeneratedRegex(@"^\d{4}/\d{2}/\d{8}-\d{6}-[A-Za-z0-9-]{1,64}\.json$")]
    private static partial Regex RecordBlobPattern();
}
