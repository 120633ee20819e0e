using Azure.Storage.Blobs.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging.Abstractions;
using Recommender.Functions.Retraining;
using Recommender.Model.Storage;
using Recommender.Training.Retraining;

namespace Recommender.Integration.Tests.Retraining;

/// <summary>
/// A retraining run keeps its checkpoint beside its record, so that a stopped run started again with the same run id
/// (a retried job execution) resumes; its progress is in the record as it trains, and GET /api/retrain/runs lists it.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RetrainCheckpointTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_stopped_run_started_again_resumes_from_its_checkpoint_and_ends_with_the_metrics_of_an_uninterrupted_run()
    {
        using var host = new RetrainTestHost(azurite, _temp);
        await host.UploadGeneratedAsync();
        var pipeline = host.Create<RetrainPipeline>();
        var uninterrupted = await pipeline.RunAsync(RunTrigger.Cli);
        Assert.Equal(RunStatus.Succeeded, uninterrupted.Status);

        // Stop the second run once the checkpoint of its epoch 3 (the first joint epoch) is in the runs container.
        using var stop = new CancellationTokenSource();
        var start = await pipeline.StartAsync(RunTrigger.Cli);
        var runId = start.Record.RunId;
        var stopped = start.Run!.ExecuteAsync(stop.Token);
        var epoch3 = RunCheckpointStore.PrefixOf(runId) + RetrainPipeline.ModelName + "/epoch-0003/" + RunCheckpointStore.CompletionFile;
        while (!stopped.IsCompleted && !await RunsContainer(host).GetBlobClient(epoch3).ExistsAsync())
        {
            await Task.Delay(20);
        }
        await stop.CancelAsync();
        var first = await stopped;
        Assert.Equal(RunStatus.Failed, first.Status);
        Assert.Contains("cancelled", first.Errors[0], StringComparison.Ordinal);
        Assert.NotEmpty(await CheckpointBlobs(host, runId));

        var resumed = await pipeline.RunAsync(RunTrigger.Cli, runId);

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal(runId, resumed.RunId);
        Assert.Equal(2, resumed.Attempt);
        Assert.StartsWith("Attempt 1 did not finish: The run was cancelled", Assert.Single(resumed.Errors), StringComparison.Ordinal);
        Assert.True(resumed.Metrics.GetValueOrDefault("train.resumed_after_epoch") >= 3, $"resumed after epoch {resumed.Metrics.GetValueOrDefault("train.resumed_after_epoch")}");
        foreach (var name in uninterrupted.Metrics.Keys.Where(name => name.StartsWith("candidate.", StringComparison.Ordinal) || name.StartsWith("train.", StringComparison.Ordinal)))
        {
            Assert.True(uninterrupted.Metrics[name] == resumed.Metrics[name], $"{name}: uninterrupted {uninterrupted.Metrics[name]:R}, resumed {resumed.Metrics[name]:R}");
        }
        Assert.Empty(await CheckpointBlobs(host, runId));

        // The progress of the last epoch stays in the record.
        var progress = resumed.Progress!;
        Assert.Equal((int)resumed.Metrics["train.epochs"], progress.Epoch);
        Assert.Equal(2 * RetrainTestHost.MaxEpochs, progress.MaxEpochs);
        Assert.Equal(0, progress.EtaSeconds);

        // GET /api/retrain/runs lists the three records newest first, and refuses a count out of range.
        var function = new RetrainRuns(host.Runs, NullLogger<RetrainRuns>.Instance);
        var listed = Assert.IsType<ContentHttpResult>(await function.RunAsync(Request("?count=2"), CancellationToken.None));
        var runs = System.Text.Json.JsonSerializer.Deserialize<RetrainRunsResponse>(listed.ResponseContent!, RunRecordStore.JsonOptions)!.Runs;
        Assert.Equal([runId, uninterrupted.RunId], runs.Select(run => run.RunId));
        Assert.Equal(progress, runs[0].Progress);
        var refused = Assert.IsType<ProblemHttpResult>(await function.RunAsync(Request("?count=0"), CancellationToken.None));
        Assert.Equal(StatusCodes.Status400BadRequest, refused.StatusCode);
    }

    private static Azure.Storage.Blobs.BlobContainerClient RunsContainer(RetrainTestHost host) =>
        host.Storage.Service.GetBlobContainerClient(host.Storage.Options.RunsContainer);

    private static async Task<List<string>> CheckpointBlobs(RetrainTestHost host, string runId)
    {
        var names = new List<string>();
        await foreach (var blob in RunsContainer(host).GetBlobsAsync(new GetBlobsOptions { Prefix = RunCheckpointStore.PrefixOf(runId) }))
        {
            names.Add(blob.Name);
        }
        return names;
    }

    private static HttpRequest Request(string query)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.QueryString = new QueryString(query);
        return context.Request;
    }
}
