using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Hosting;
using Recommender.Model.Storage;
using Recommender.Training.Retraining;

namespace Recommender.Functions.Retraining;

/// <summary>
/// POST /api/retrain (admin key): starts a retraining now. 202 with the run record (running, or launched on the job)
/// while the run goes on in the background; 409 with the skipped record, naming the holder, when another run holds
/// the lock; 502 with the failed record when the Container Apps job could not be started.
/// </summary>
public sealed class RetrainNow(IRetrainLauncher launcher, IHostApplicationLifetime lifetime)
{
    public const string FunctionName = "RetrainNow";
    public const string Route = "retrain";

    [Function(FunctionName)]
    public async Task<IActionResult> RunAsync([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Route)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The run outlives the request: only the host's shutdown stops it.
        var launch = await launcher.LaunchAsync(RunTrigger.Http, lifetime.ApplicationStopping).ConfigureAwait(false);
        var status = launch.Record.Status switch
        {
            RunStatus.Skipped => StatusCodes.Status409Conflict,
            RunStatus.Failed => StatusCodes.Status502BadGateway,
            _ => StatusCodes.Status202Accepted,
        };
        return new ContentResult
        {
            StatusCode = status,
            ContentType = "application/json",
            Content = RunRecordStore.Serialize(launch.Record),
        };
    }
}
