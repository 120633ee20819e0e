using Recommender.Model.Bundle;
using Recommender.Model.Events;
using Recommender.Model.Storage;
using Recommender.Training.Retraining;

namespace Recommender.Integration.Tests.Retraining;

/// <summary>The retrain reads the user events, merges them into the release and records how many it used.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RetrainEventsTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Retrain_MergesTheEvents_LaterOnesWin_UnknownMoviesAreLeftOut_AndTheBundleRecordsItsDataEnd()
    {
        using var host = new RetrainTestHost(azurite, _temp);
        await host.UploadGeneratedAsync();
        var now = DateTimeOffset.UtcNow;
        await host.Events.AddAsync(1, [
            new UserEvent(200, 4.5f, now.AddMinutes(-2), "a"),
            new UserEvent(200, 2f, now.AddMinutes(-1), "b"),
            new UserEvent(999_999, 4f, now.AddMinutes(-1), "c"),
        ]);
        await host.Events.AddAsync(5000, [new UserEvent(3, null, now, "d")]);

        var record = await host.Create<RetrainPipeline>().RunAsync(RunTrigger.Cli);

        Assert.Equal(RunStatus.Succeeded, record.Status);
        Assert.Equal((4, 2, 1, 1), ((int)record.Metrics["events.read"], (int)record.Metrics["events.used"],
            (int)record.Metrics["events.unknown_movies"], (int)record.Metrics["events.superseded"]));
        Assert.Equal(ClusteredRatings.Groups * ClusteredRatings.UsersPerGroup + 1, (int)record.Metrics["dataset.users"]);
        Assert.Contains("merge-events", record.Phases.Select(phase => phase.Name));
        var downloaded = await host.Models.DownloadAsync(record.PublishedVersion!, _temp.Combine("published"));
        var dataEnd = ModelBundle.Load(downloaded.Folder).Manifest.DataEndUtc;
        Assert.NotNull(dataEnd);
        Assert.True(dataEnd < now.AddMinutes(-2), $"the data end {dataEnd:o} should be before the events");
    }
}
