using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Recommender.Functions.Api;
using Recommender.Model.Storage;
using Recommender.Model.Retraining;

namespace Recommender.Functions.Retraining;

/// <summary>
/// POST /api/retrain (admin key): starts a retraining now. 202 with the run record (running, or launched on the job)
/// while the run goes on in the background; 409 with the skipped record, naming the holder, when another run holds
/// the lock; 502 with the failed record when the Container Apps job could not be started; 503 with Retry-After when
/// Blob Storage (the lock and the run records) cannot be reached.
/// </summary>
public sealed partial class RetrainNow(IRetrainLauncher launcher, IHostApplicationLifetime lifetime, ILogger<RetrainNow> logger)
{
    public const string FunctionName = "RetrainNow";
    public const string Route = "retrain";

    /// <summary>Retry-After when storage is unreachable: past the Azure SDK's own retries, long enough for a restart.</summary>
    public static readonly TimeSpan StorageRetryAfter = TimeSpan.FromSeconds(30);

    [Function(FunctionName)]
    [OpenApiOperation("Start a retraining now",
        "Checks that no run holds the retrain lock and launches one (the training CLI as a child process, or the Container Apps job); " +
        "the run goes on after the answer, and its record is updated as it goes.")]
    [OpenApiResponse(202, typeof(RunRecord), "Launched: the run record as saved at launch (status launched); the run goes on in the background.")]
    [OpenApiResponse(409, typeof(RunRecord), "Skipped: another run holds the retrain lock; the record's skipReason names it.")]
    [OpenApiResponse(502, typeof(RunRecord), "Failed: the training process or the Container Apps job could not be started; the record's errors say why.")]
    [OpenApiProblem(503, "Blob Storage (the retrain lock and the run records) cannot be reached; nothing was started.", RetryAfter = true)]
    public async Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Route)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RetrainLaunch launch;
        try
        {
            // The run outlives the request: only the host's shutdown stops it.
            launch = await launcher.LaunchAsync(RunTrigger.Http, lifetime.ApplicationStopping).ConfigureAwait(false);
        }
        catch (Exception error) when (StorageErrors.IsUnreachable(error))
        {
            LogStorageUnreachable(error);
            return ApiProblems.StorageUnavailable(request.HttpContext.Response, StorageRetryAfter, "taking the retrain lock and saving the run record");
        }
        var status = launch.Record.Status switch
        {
            RunStatus.Skipped => StatusCodes.Status409Conflict,
            RunStatus.Failed => StatusCodes.Status502BadGateway,
            _ => StatusCodes.Status202Accepted,
        };
        return TypedResults.Content(RunRecordStore.Serialize(launch.Record), "application/json", statusCode: status);
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Error,
        Message = "POST /api/retrain: Blob Storage is unreachable, so no retraining was started and no run record could be saved")]
    private partial void LogStorageUnreachable(Exception error);
}
