using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Recommender.Functions.Api;
using Recommender.Functions.Retraining;
using Recommender.Model.Bundle;
using Recommender.Model.Events;
using Recommender.Model.Storage;
using Recommender.Model.Retraining;
using Recommender.Training.Retraining;
using Xunit.Abstractions;

namespace Recommender.Integration.Tests.Retraining;

/// <summary>
/// The Retrain and RetrainNow functions end to end on Azurite, each run in the training CLI as a child process:
/// publish, gate, lock, faults.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RetrainFunctionTests(AzuriteFixture azurite, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Retrain_OnTheUploadedDataSet_PublishesAVerifiedBundle_AndRecordsTheRun()
    {
        using var host = new RetrainTestHost(azurite, _temp);
        var data = await host.UploadSharedOrGeneratedAsync();

        await host.Create<Retrain>().RunAsync(new TimerInfo(), CancellationToken.None);

        var record = Assert.Single(await host.Runs.ListRecentAsync(10));
        output.WriteLine($"{data}: {RunRecordStore.Serialize(record)}");
        Assert.Equal(RunStatus.Succeeded, record.Status);
        Assert.Equal(RunTrigger.Timer, record.Trigger);
        Assert.True(record.Gate!.Accepted, record.Gate.Reason);
        Assert.Empty(record.Errors);
        Assert.True(record.Metrics["candidate.ndcg@10"] > record.Metrics["popularity.ndcg@10"]);
        Assert.Equal(["read-latest", "ingest", "merge-events", "split", "read-checkpoint", "train", "export", "evaluate", "publish"], record.Phases.Select(phase => phase.Name));
        Assert.NotNull(record.FinishedAt);

        var latest = await host.Models.GetLatestAsync();
        Assert.NotNull(latest);
        Assert.Equal(record.PublishedVersion, latest.Version);
        Assert.Equal(record.CandidateVersion, latest.Version);
        var downloaded = await host.Models.DownloadAsync(latest.Version, _temp.Combine("published"));
        Assert.Equal(latest.ManifestSha256, downloaded.ManifestSha256);
        var bundle = ModelBundle.Load(downloaded.Folder);
        Assert.Equal(latest.Version, bundle.Manifest.ModelVersion);
        Assert.Equal(record.Metrics["candidate.ndcg@10"], bundle.Manifest.Metrics["ndcg@10"]);
    }

    [Fact]
    public async Task Retrain_AWorseModel_IsRejected_KeptUnderRejected_AndLatestIsUnchanged()
    {
        using var host = new RetrainTestHost(azurite, _temp);
        await host.UploadGeneratedAsync();
        var pipeline = host.Create<RetrainPipeline>();
        var first = await pipeline.RunAsync(RunTrigger.Cli);
        Assert.Equal(RunStatus.Succeeded, first.Status);
        var published = await host.Models.GetLatestAsync();

        // Deliberately worse: no graph propagation (which alone sorts random embeddings into the taste groups) and a
        // learning rate so small that the weights stay where initialisation put them.
        var options = host.Services.GetRequiredService<RetrainOptions>();
        var untrained = new RetrainPipeline(
            host.Services.GetRequiredService<RetrainStorage>(),
            options with { Training = options.Training with { LearningRate = 1e-12, GraphLayers = 0 } },
            Microsoft.Extensions.Logging.Abstractions.NullLogger<RetrainPipeline>.Instance);
        var second = await untrained.RunAsync(RunTrigger.Cli);

        output.WriteLine(RunRecordStore.Serialize(second));
        Assert.Equal(RunStatus.Rejected, second.Status);
        Assert.False(second.Gate!.Accepted);
        Assert.Contains("below the published model's", second.Gate.Reason);
        Assert.True(second.Metrics["published.ndcg@10"] > second.Metrics["candidate.ndcg@10"]);
        Assert.Null(second.PublishedVersion);
        Assert.Equal(published, await host.Models.GetLatestAsync());
        var rejected = Assert.Single(await host.Models.ListRejectedAsync());
        Assert.Equal(second.CandidateVersion, rejected.Version);
        Assert.True(rejected.IsComplete);
        Assert.DoesNotContain(await host.Models.ListVersionsAsync(), version => version.Version == second.CandidateVersion);
    }

    [Fact]
    public async Task TwoRetrainsAtOnce_ExactlyOneTrains_TheOtherRecordsWhyItSkipped()
    {
        using var host = new RetrainTestHost(azurite, _temp);
        await host.UploadGeneratedAsync();
        var first = host.Create<Retrain>();
        var second = host.Create<Retrain>();

        await Task.WhenAll(
            Task.Run(() => first.RunAsync(new TimerInfo(), CancellationToken.None)),
            Task.Run(() => second.RunAsync(new TimerInfo(), CancellationToken.None)));

        var records = await host.Runs.ListRecentAsync(10);
        Assert.Equal(2, records.Count);
        var trained = Assert.Single(records, record => record.Phases.Any(phase => phase.Name == "train"));
        Assert.Equal(RunStatus.Succeeded, trained.Status);
        var skipped = Assert.Single(records, record => record.Status == RunStatus.Skipped);
        // Skipped by its launcher's probe ("is held by 'launcher of run …'" or "'run …'"), or by its CLI when both
        // probes passed before either CLI took the lock; "was held … a moment ago" when the trainer finished first.
        Assert.Matches("(is|was) held by '(launcher of )?run " + trained.RunId, skipped.SkipReason);
        Assert.Empty(skipped.Phases);
        Assert.Equal(trained.PublishedVersion, (await host.Models.GetLatestAsync())!.Version);
    }

    [Fact]
    public async Task RetrainNow_WhileAnotherRunHoldsTheLock_Answers409WithTheReason()
    {
        using var host = new RetrainTestHost(azurite, _temp);
        var attempt = await host.Storage.RetrainLock.TryAcquireAsync("run 20250101-030000-deadbeef (timer)", TimeSpan.FromSeconds(15));
        await using var lease = attempt.Lease!;

        var result = Assert.IsType<ContentHttpResult>(await host.Create<RetrainNow>().RunAsync(new DefaultHttpContext().Request));

        Assert.Equal(StatusCodes.Status409Conflict, result.StatusCode);
        var record = RunRecordStore.Deserialize(result.ResponseContent!);
        Assert.Equal(RunStatus.Skipped, record.Status);
        Assert.Contains("run 20250101-030000-deadbeef (timer)", record.SkipReason);
        Assert.Equal(RunStatus.Skipped, (await host.Runs.GetAsync(record.RunId))!.Status);
    }

    [Fact]
    public async Task RetrainNow_WithStorageUnreachable_Answers503WithRetryAfter_AndLogsWhy()
    {
        var log = new RecordingLogger<RetrainNow>();
        using var host = new RetrainTestHost(azurite, _temp,
            new Dictionary<string, string?> { [StorageSettingNames.ConnectionString] = AzuriteFixture.UnreachableConnectionString() },
            services => services.AddSingleton<ILogger<RetrainNow>>(log));
        var context = new DefaultHttpContext();

        var result = Assert.IsType<ProblemHttpResult>(await host.Create<RetrainNow>().RunAsync(context.Request));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, result.StatusCode);
        Assert.Equal(ApiProblems.StorageUnavailableType, result.ProblemDetails.Type);
        Assert.Equal(((int)RetrainNow.StorageRetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture), context.Response.Headers.RetryAfter.ToString());
        var entry = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Contains("Blob Storage is unreachable", entry.Message);
        Assert.True(StorageErrors.IsUnreachable(entry.Exception!), $"logged: {entry.Exception}");
    }

    [Fact]
    public async Task RetrainNow_OnMalformedData_Answers202_ThenRecordsAFailureNamingFileAndLine_AndPublishesNothing()
    {
        using var host = new RetrainTestHost(azurite, _temp);
        await host.UploadAsync("ratings.csv", "userId,movieId,rating,timestamp\n1,10,4.0,964982703\n1,twelve,3.5,964982931\n"u8.ToArray());
        await host.UploadAsync("movies.csv", "movieId,title,genres\n10,Ten (1995),Drama\n"u8.ToArray());

        var result = Assert.IsType<ContentHttpResult>(await host.Create<RetrainNow>().RunAsync(new DefaultHttpContext().Request));

        Assert.Equal(StatusCodes.Status202Accepted, result.StatusCode);
        var started = RunRecordStore.Deserialize(result.ResponseContent!);
        Assert.Equal(RunStatus.Launched, started.Status);
        Assert.Equal(RunTrigger.Http, started.Trigger);
        var record = await host.WaitForFinishAsync(started.RunId, RunTimeout);
        output.WriteLine(RunRecordStore.Serialize(record));
        Assert.Equal(RunStatus.Failed, record.Status);
        Assert.Contains(record.Errors, error => error.Contains("ratings.csv:3", StringComparison.Ordinal));
        Assert.Contains("could not be loaded", record.Errors[0]);
        Assert.Null(record.Gate);
        Assert.Null(await host.Models.GetLatestAsync());
        Assert.Empty(await host.Models.ListVersionsAsync());
    }

    [Fact]
    public async Task StorageStoppedMidPublish_LatestStillNamesACompleteBundle_AndTheNextRunSucceeds()
    {
        var stopAfterFirstFile = new StopStorageOnFirstUpload(azurite);
        using var host = new RetrainTestHost(azurite, _temp, configure: services =>
            services.AddSingleton(provider => RetrainStorage.From(provider.GetRequiredService<RecommenderStorage>(), provider.GetRequiredService<UserEventStore>()) with
            {
                Models = new InterruptedPublishRepository(provider.GetRequiredService<RecommenderStorage>().Models, stopAfterFirstFile),
            }));
        await host.UploadGeneratedAsync();
        var pipeline = host.Create<RetrainPipeline>();
        var first = await pipeline.RunAsync(RunTrigger.Cli);
        Assert.Equal(RunStatus.Succeeded, first.Status);
        var published = await host.Models.GetLatestAsync();

        stopAfterFirstFile.Armed = true;
        RunRecord interrupted;
        try
        {
            interrupted = await pipeline.RunAsync(RunTrigger.Cli);
        }
        finally
        {
            if (!azurite.IsRunning)
            {
                await azurite.StartAsync();
            }
        }

        output.WriteLine(RunRecordStore.Serialize(interrupted));
        Assert.True(stopAfterFirstFile.Stopped);
        Assert.Equal(RunStatus.Failed, interrupted.Status);
        Assert.Contains("'publish' failed", interrupted.Errors[0]);
        Assert.Equal(published, await host.Models.GetLatestAsync());
        var complete = await host.Models.DownloadAsync(published!.Version, _temp.Combine("after-outage"));
        Assert.Equal(published.ManifestSha256, complete.ManifestSha256);

        // The interrupted run could not release its lease while storage was down: it expires within 15 s.
        var next = await RunUntilNotSkippedAsync(pipeline);
        Assert.Equal(RunStatus.Succeeded, next.Status);
        Assert.Equal(next.PublishedVersion, (await host.Models.GetLatestAsync())!.Version);
        ModelBundle.Load((await host.Models.DownloadAsync(next.PublishedVersion!, _temp.Combine("next"))).Folder);
    }

    private static async Task<RunRecord> RunUntilNotSkippedAsync(RetrainPipeline pipeline)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
        while (true)
        {
            var record = await pipeline.RunAsync(RunTrigger.Cli);
            if (record.Status != RunStatus.Skipped || DateTime.UtcNow > deadline)
            {
                return record;
            }
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    /// <summary>Stops Azurite from inside the upload progress of a publish, once armed.</summary>
    private sealed class StopStorageOnFirstUpload(AzuriteFixture azurite) : IProgress<BundleUploadProgress>
    {
        public bool Armed { get; set; }
        public bool Stopped { get; private set; }

        public void Report(BundleUploadProgress value)
        {
            if (Armed && !Stopped && value.FilesUploaded == 1)
            {
                Stopped = true;
                azurite.Stop();
            }
        }
    }

    /// <summary>The real repository, reporting publish progress to <paramref name="progress"/>.</summary>
    private sealed class InterruptedPublishRepository(IModelRepository inner, IProgress<BundleUploadProgress> progress) : IModelRepository
    {
        public Task<PublishedModel> PublishAsync(string bundleFolder, string version, LatestModel? replacing, IProgress<BundleUploadProgress>? _ = null, CancellationToken cancellationToken = default) =>
            inner.PublishAsync(bundleFolder, version, replacing, progress, cancellationToken);

        public Task<LatestModel?> GetLatestAsync(CancellationToken cancellationToken = default) => inner.GetLatestAsync(cancellationToken);
        public Task<Azure.ETag?> GetLatestETagAsync(CancellationToken cancellationToken = default) => inner.GetLatestETagAsync(cancellationToken);
        public Task<StoredBundle> StoreRejectedAsync(string bundleFolder, string version, CancellationToken cancellationToken = default) => inner.StoreRejectedAsync(bundleFolder, version, cancellationToken);
        public Task<LatestModel> PromoteAsync(string version, LatestModel? replacing, CancellationToken cancellationToken = default) => inner.PromoteAsync(version, replacing, cancellationToken);
        public Task<DownloadedModel> DownloadAsync(string version, string localFolder, CancellationToken cancellationToken = default) => inner.DownloadAsync(version, localFolder, cancellationToken);
        public Task<IReadOnlyList<StoredModelVersion>> ListVersionsAsync(CancellationToken cancellationToken = default) => inner.ListVersionsAsync(cancellationToken);
        public Task<IReadOnlyList<StoredModelVersion>> ListRejectedAsync(CancellationToken cancellationToken = default) => inner.ListRejectedAsync(cancellationToken);
        public Task<IReadOnlyList<string>> PruneAsync(CancellationToken cancellationToken = default) => inner.PruneAsync(cancellationToken);
    }
}
