using System.Text.Json;
using Recommender.Model.Storage;

namespace Recommender.Integration.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class RunRecordStoreTests(AzuriteFixture azurite)
{
    private static RunRecord FinishedRecord(DateTimeOffset startedAt) => new()
    {
        RunId = RunRecord.NewRunId(startedAt),
        Trigger = RunTrigger.Timer,
        Status = RunStatus.Rejected,
        StartedAt = startedAt,
        FinishedAt = startedAt.AddMinutes(12.5),
        Phases = [new PhaseTiming("ingest", 4.25), new PhaseTiming("train", 600.5)],
        Metrics = new() { ["recall@10"] = 0.1834, ["ndcg@10"] = 0.0912, ["loss"] = double.NaN },
        Gate = new GateDecision(false, "recall@10 0.1834 < published 0.1901 - 0.005"),
        CandidateVersion = "20250314-020000-ab12cd34",
        Errors = ["first", "second"],
    };

    [Fact]
    public async Task Record_RoundTrips_UnderYearAndMonth()
    {
        var container = azurite.UniqueContainer("runs");
        var store = new RunRecordStore(container);
        var record = FinishedRecord(new DateTimeOffset(2025, 3, 14, 2, 0, 0, TimeSpan.Zero));

        await store.SaveAsync(record);
        var read = await store.GetAsync(record.RunId);

        Assert.True(await container.GetBlobClient($"2025/03/{record.RunId}.json").ExistsAsync());
        Assert.NotNull(read);
        Assert.Equal(RunRecordStore.Serialize(record), RunRecordStore.Serialize(read));
        Assert.Equal((record.RunId, RunTrigger.Timer, RunStatus.Rejected), (read.RunId, read.Trigger, read.Status));
        Assert.Equal(record.FinishedAt, read.FinishedAt);
        Assert.Equal(record.Phases, read.Phases);
        Assert.Equal(record.Gate, read.Gate);
        Assert.True(double.IsNaN(read.Metrics["loss"]));
        Assert.Equal(0.1834, read.Metrics["recall@10"]);
        Assert.Equal(record.Errors, read.Errors);
    }

    [Fact]
    public void Json_UsesCamelCaseNamesAndLowercaseEnums()
    {
        var record = FinishedRecord(new DateTimeOffset(2025, 3, 14, 2, 0, 0, TimeSpan.Zero));

        using var json = JsonDocument.Parse(RunRecordStore.Serialize(record));

        Assert.Equal("timer", json.RootElement.GetProperty("trigger").GetString());
        Assert.Equal("rejected", json.RootElement.GetProperty("status").GetString());
        Assert.False(json.RootElement.GetProperty("gate").GetProperty("accepted").GetBoolean());
        Assert.Equal("train", json.RootElement.GetProperty("phases")[1].GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("publishedVersion").ValueKind);
    }

    [Fact]
    public async Task Save_ReplacesTheRecordAsTheRunProgresses()
    {
        var store = new RunRecordStore(azurite.UniqueContainer("runs"));
        var record = RunRecord.Start(RunTrigger.Http, DateTimeOffset.UtcNow);
        await store.SaveAsync(record);
        Assert.Equal(RunStatus.Running, (await store.GetAsync(record.RunId))!.Status);

        record.Status = RunStatus.Succeeded;
        record.PublishedVersion = "v7";
        record.FinishedAt = DateTimeOffset.UtcNow;
        await store.SaveAsync(record);

        var read = await store.GetAsync(record.RunId);
        Assert.Equal((RunStatus.Succeeded, "v7"), (read!.Status, read.PublishedVersion));
    }

    [Fact]
    public async Task ListRecent_IsNewestFirst_AcrossMonthsAndYears()
    {
        var container = azurite.UniqueContainer("runs");
        var store = new RunRecordStore(container);
        var starts = new[]
        {
            new DateTimeOffset(2024, 12, 31, 23, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2025, 2, 1, 3, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2025, 1, 15, 3, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2025, 2, 1, 2, 59, 59, TimeSpan.Zero),
        };
        foreach (var start in starts)
        {
            await store.SaveAsync(RunRecord.Start(RunTrigger.Timer, start));
        }
        var lockBlobInTheSameContainer = await new RetrainLock(container).TryAcquireAsync("run", TimeSpan.FromSeconds(15));
        await lockBlobInTheSameContainer.Lease!.ReleaseAsync();

        var recent = await store.ListRecentAsync(3);

        Assert.Equal([starts[1], starts[3], starts[2]], recent.Select(record => record.StartedAt));
        Assert.Equal(4, (await store.ListRecentAsync(10)).Count);
    }

    [Fact]
    public async Task RunsStartedWithinOneSecond_AreListedByStartTime_NotByTheirIdsRandomSuffix()
    {
        var store = new RunRecordStore(azurite.UniqueContainer("runs"));
        var second = new DateTimeOffset(2025, 2, 1, 3, 0, 0, TimeSpan.Zero);
        // Each later start gets a smaller suffix, so the ids' ordinal order is the reverse of the start order.
        var starts = new[] { second.AddMilliseconds(100), second.AddMilliseconds(400), second.AddMilliseconds(700) };
        foreach (var (index, start) in starts.Index())
        {
            await store.SaveAsync(new RunRecord { RunId = $"20250201-030000-{9 - index}", Trigger = RunTrigger.Timer, Status = RunStatus.Succeeded, StartedAt = start });
        }
        await store.SaveAsync(RunRecord.Start(RunTrigger.Timer, second.AddSeconds(-1)));

        Assert.Equal([starts[2], starts[1]], (await store.ListRecentAsync(2)).Select(record => record.StartedAt));
        Assert.Equal([.. starts.Reverse(), second.AddSeconds(-1)], (await store.ListRecentAsync(4)).Select(record => record.StartedAt));
    }

    [Fact]
    public async Task UnknownRun_IsNull_AndMalformedIdsAreRefused()
    {
        var store = new RunRecordStore(azurite.UniqueContainer("runs"));

        Assert.Null(await store.GetAsync("20250101-000000-0000abcd"));
        Assert.Empty(await store.ListRecentAsync(5));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync("20251301-000000-x"));
        Assert.Contains("yyyyMMdd-HHmmss", error.Message);
        Assert.Throws<ArgumentException>(() => RunRecordStore.BlobNameOf("../../latest"));
    }

    [Fact]
    public void NewRunIds_SortByStartTime()
    {
        var earlier = RunRecord.NewRunId(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)));
        var later = RunRecord.NewRunId(new DateTimeOffset(2025, 1, 2, 1, 4, 6, TimeSpan.Zero));

        Assert.StartsWith("20250102-010405-", earlier);
        Assert.True(string.CompareOrdinal(earlier, later) < 0);
        Assert.Equal("2025/01/" + earlier + ".json", RunRecordStore.BlobNameOf(earlier));
    }
}
