using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Recommender.Model.Serving;

namespace Recommender.Functions;

public static class TelemetryExtensions
{
    /// <summary>The connection string the Functions platform sets when the app has Application Insights.</summary>
    public const string ApplicationInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>Subscribes to the serving spans and metrics (<see cref="ServingTelemetry"/>); the host picks the exporter.</summary>
    public static IOpenTelemetryBuilder AddServingTelemetry(this IOpenTelemetryBuilder builder) =>
        builder
            .WithTracing(tracing => tracing.AddSource(ServingTelemetry.SourceName))
            .WithMetrics(metrics => metrics.AddMeter(ServingTelemetry.SourceName));

    /// <summary>Exports logs, traces and metrics to Application Insights when its connection string is set (in Azure).</summary>
    public static IOpenTelemetryBuilder UseAzureMonitorWhenConfigured(this IOpenTelemetryBuilder builder, IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(configuration[ApplicationInsightsConnectionString]) ? builder : builder.UseAzureMonitorExporter();
}
