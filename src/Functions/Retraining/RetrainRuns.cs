using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Recommender.Functions.Api;
using Recommender.Model.Storage;

namespace Recommender.Functions.Retraining;

/// <summary>GET /api/retrain/runs?count=N (admin key): the newest run records, with the progress of a run in training.</summary>
public sealed partial class RetrainRuns(IRunRecordStore runs, ILogger<RetrainRuns> logger)
{
    public const string FunctionName = "RetrainRuns";

    [Function(FunctionName)]
    [OpenApiOperation("Recent retraining runs",
        "The newest run records first: status, phases, metrics, the gate's decision and, while a run trains, its epoch, epoch cap, elapsed time and ETA.")]
    [OpenApiQuery("count", "integer", "How many runs, 1 to 100 (default 10).")]
    [OpenApiResponse(200, typeof(RetrainRunsResponse), "The newest run records first.")]
    [OpenApiProblem(400, "count is invalid; parameter names it.")]
    [OpenApiProblem(503, "Blob Storage (the run records) cannot be reached.", RetryAfter = true)]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = RetrainNow.Route + "/runs")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (ApiRequests.ReadCount(request.Query, out var count) is { } countProblem)
        {
            return countProblem;
        }
        try
        {
            var records = await runs.ListRecentAsync(count, cancellationToken).ConfigureAwait(false);
            return TypedResults.Content(JsonSerializer.Serialize(new RetrainRunsResponse(records), RunRecordStore.JsonOptions), "application/json");
        }
        catch (Exception error) when (StorageErrors.IsUnreachable(error))
        {
            LogStorageUnreachable(error);
            return ApiProblems.StorageUnavailable(request.HttpContext.Response, RetrainNow.StorageRetryAfter, "reading the run records");
        }
    }

    [LoggerMessage(EventId = 111, Level = LogLevel.Error, Message = "GET /api/retrain/runs: Blob Storage is unreachable, so no run records could be read")]
    private partial void LogStorageUnreachable(Exception error);
}

/// <summary>GET /api/retrain/runs: the newest run records first.</summary>
public sealed record RetrainRunsResponse(IReadOnlyList<RunRecord> Runs);
