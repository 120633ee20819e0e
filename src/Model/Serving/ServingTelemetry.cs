using System.Diagnostics;
using System.Diagnostics.Metrics;
using Recommender.Model.Engine;

namespace Recommender.Model.Serving;

/// <summary>
/// The serving side's traces and metrics, through System.Diagnostics so that this project needs no OpenTelemetry
/// package: the hosts subscribe to <see cref="SourceName"/> (spans and meter alike) and choose the exporter.
/// </summary>
public static class ServingTelemetry
{
    public const string SourceName = "Recommender.Serving";
    public const string ModelVersionTag = "recommender.model.version";
    public const string PathTag = "recommender.path";
    public const string OperationTag = "recommender.operation";
    public const string EngineMillisecondsTag = "recommender.engine.duration_ms";

    private static readonly ActivitySource Source = new(SourceName);
    private static readonly Meter Meter = new(SourceName);
    private static readonly Histogram<double> EngineDuration =
        Meter.CreateHistogram<double>("recommender.engine.duration", "ms", "Engine time of one recommendation list (scoring, filters, top-k).");
    private static readonly Counter<long> ModelSwaps =
        Meter.CreateCounter<long>("recommender.model.swaps", description: "Published models this host loaded and began to serve.");

    /// <summary>Starts the span and the clock of one engine call; <see cref="RecommendationSpan.Record"/> ends both.</summary>
    public static RecommendationSpan StartRecommendation(string operation) =>
        // The span's name is only built when someone listens: this runs on every request.
        new(operation, Source.HasListeners() ? Source.StartActivity("recommend " + operation, ActivityKind.Internal) : null, Stopwatch.GetTimestamp());

    /// <summary>Counts a model this host began to serve (the first one included).</summary>
    public static void ModelSwapped(string modelVersion) => ModelSwaps.Add(1, new KeyValuePair<string, object?>(ModelVersionTag, modelVersion));

    /// <summary>The path as the API's JSON names it.</summary>
    private static string PathName(RecommendationPath path) => path switch
    {
        RecommendationPath.Personalised => "personalised",
        RecommendationPath.Session => "session",
        RecommendationPath.Fallback => "fallback",
        RecommendationPath.Live => "live",
        RecommendationPath.SimilarItems => "similarItems",
        _ => path.ToString(),
    };

    /// <summary>One engine call: tags its span with the model version, the path taken and the engine time, and records that time.</summary>
    public readonly struct RecommendationSpan(string operation, Activity? activity, long started) : IDisposable
    {
        public RecommendationResult Record(RecommendationResult result)
        {
            ArgumentNullException.ThrowIfNull(result);
            var milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var path = PathName(result.Path);
            EngineDuration.Record(milliseconds, new KeyValuePair<string, object?>(OperationTag, operation), new KeyValuePair<string, object?>(PathTag, path));
            if (activity is not null)
            {
                activity.SetTag(ModelVersionTag, result.ModelVersion);
                activity.SetTag(PathTag, path);
                activity.SetTag(EngineMillisecondsTag, milliseconds);
            }
            return result;
        }

        public void Dispose() => activity?.Dispose();
    }
}
