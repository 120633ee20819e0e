using System.Diagnostics;
using System.Diagnostics.Metrics;
using Recommender.Model.Engine;
using Recommender.Model.Serving;
using Recommender.Model.Tests.Engine;

namespace Recommender.Model.Tests.Serving;

/// <summary>What a subscribed host (OpenTelemetry in the Function App, the console in the local host) receives.</summary>
public sealed class ServingTelemetryTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    [Fact]
    public void ARecommendation_IsOneSpan_WithTheModelVersionPathAndEngineTime_AndOneEngineTimeMeasurement()
    {
        var spans = new List<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ServingTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(activities);
        var measurements = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ServingTelemetry.SourceName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(tag => tag.Key, tag => tag.Value))));
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(tag => tag.Key, tag => tag.Value))));
        meters.Start();

        RecommendationResult result;
        using (var span = ServingTelemetry.StartRecommendation("similar"))
        {
            result = span.Record(fixture.Engine.SimilarMovies(fixture.MovieId(0), 5));
        }
        ServingTelemetry.ModelSwapped(fixture.Engine.ModelVersion);

        var recorded = Assert.Single(spans, activity => activity.OperationName == "recommend similar");
        Assert.Equal(fixture.Engine.ModelVersion, recorded.GetTagItem(ServingTelemetry.ModelVersionTag));
        Assert.Equal("similarItems", recorded.GetTagItem(ServingTelemetry.PathTag));
        var engineMilliseconds = Assert.IsType<double>(recorded.GetTagItem(ServingTelemetry.EngineMillisecondsTag));
        Assert.InRange(engineMilliseconds, 0, recorded.Duration.TotalMilliseconds);
        Assert.Equal(5, result.Items.Count);

        var duration = Assert.Single(measurements, measurement => measurement.Instrument == "recommender.engine.duration");
        Assert.Equal(engineMilliseconds, duration.Value);
        Assert.Equal(("similar", "similarItems"), (duration.Tags[ServingTelemetry.OperationTag], duration.Tags[ServingTelemetry.PathTag]));
        var swap = Assert.Single(measurements, measurement => measurement.Instrument == "recommender.model.swaps"
            && Equals(measurement.Tags[ServingTelemetry.ModelVersionTag], fixture.Engine.ModelVersion));
        Assert.Equal(1, swap.Value);
    }
}
