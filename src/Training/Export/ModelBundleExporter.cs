using System.Globalization;
using Recommender.Model.Bundle;
using Recommender.Model.Engine;

namespace Recommender.Training.Export;

/// <summary>Turns trained weights plus catalogue and user data into a verified model bundle folder.</summary>
public static class ModelBundleExporter
{
    public const int DefaultPrecomputedCount = 100;

    /// <summary>
    /// The serving bundle of a model trained on <paramref name="split"/>: its inference weights, with histories, seen
    /// sets and popularity from what it learned from (Train + Validation), written to <paramref name="bundleDirectory"/>
    /// (which must not exist yet). Used by the <c>train</c> command and by retraining alike.
    /// </summary>
    public static BundleManifest Export(
        Trainers.TrainedModel trained, Model.Evaluation.DataSplit split, string bundleDirectory, IReadOnlyDictionary<string, double>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(trained);
        ArgumentNullException.ThrowIfNull(split);
        var weights = GcnLstmInferenceWeights.From(trained);
        var hyperParameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["model"] = trained.ModelName,
            ["protocol"] = split.Protocol,
            ["seed"] = split.Seed.ToString(CultureInfo.InvariantCulture),
            ["bestEpoch"] = trained.BestEpoch.ToString(CultureInfo.InvariantCulture),
        };
        var data = BundleExportData.FromInteractions(
            split.Dataset, split.Train.Concat(split.Validation), weights.MaxHistory, hyperParameters, metrics);
        return Export(weights, data, bundleDirectory);
    }

    /// <summary>
    /// Builds the ONNX graph, precomputes every known user's top <paramref name="precomputedCount"/> with it, and
    /// writes the bundle to <paramref name="bundleDirectory"/> (which must not exist yet).
    /// </summary>
    public static BundleManifest Export(
        GcnLstmInferenceWeights weights, BundleExportData data, string bundleDirectory,
        int precomputedCount = DefaultPrecomputedCount, DateTimeOffset? createdUtc = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(data);
        weights.Validate();
        if (data.Movies.Count != weights.MovieCount)
        {
            throw new ArgumentException($"The catalogue has {data.Movies.Count} movies; the movie table has {weights.MovieCount} rows.", nameof(data));
        }
        if (data.UserIds.Length != weights.UserCount)
        {
            throw new ArgumentException($"There are {data.UserIds.Length} user ids; the user table has {weights.UserCount} rows.", nameof(data));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(precomputedCount);

        var onnx = OnnxGraphBuilder.BuildBytes(weights);
        var content = new ModelBundleContent
        {
            OnnxModel = onnx,
            Dim = weights.Dim,
            MaxHistory = weights.MaxHistory,
            MovieTable = weights.MovieTable,
            Movies = data.Movies,
            UserTable = weights.UserTable,
            UserIds = data.UserIds,
            History = data.History,
            Seen = data.Seen,
            PopularityItems = data.PopularityItems,
            PopularityScores = data.PopularityScores,
            PrecomputedCount = precomputedCount,
            // Filled below, once the rest is known to be consistent.
            PrecomputedItems = new int[data.UserIds.Length * precomputedCount],
            PrecomputedScores = new float[data.UserIds.Length * precomputedCount],
            AnonymousVector = weights.Anonymous,
            SessionFoldIn = weights.SessionFoldIn,
            DataEndUtc = data.DataEndUtc,
            DatasetFingerprint = data.DatasetFingerprint,
            HyperParameters = WithArchitecture(data.HyperParameters, weights),
            Metrics = data.Metrics,
        };
        if (content.FindProblem() is { } problem)
        {
            throw new ArgumentException($"Bundle data is inconsistent: {problem.File}: {problem.Problem}", nameof(data));
        }

        using var model = new UserVectorModel(onnx, weights.Dim);
        PrecomputedRecommendations.Compute(model, weights.MovieTable, weights.UserTable, data.History, data.Seen,
            precomputedCount, content.PrecomputedItems, content.PrecomputedScores);
        return BundleWriter.Write(content, bundleDirectory, createdUtc);
    }

    private static Dictionary<string, string> WithArchitecture(IReadOnlyDictionary<string, string> hyperParameters, GcnLstmInferenceWeights weights)
    {
        var merged = new Dictionary<string, string>(hyperParameters, StringComparer.Ordinal);
        merged.TryAdd("dim", weights.Dim.ToString(CultureInfo.InvariantCulture));
        merged.TryAdd("hidden", weights.Hidden.ToString(CultureInfo.InvariantCulture));
        merged.TryAdd("layers", weights.Layers.ToString(CultureInfo.InvariantCulture));
        merged.TryAdd("maxHistory", weights.MaxHistory.ToString(CultureInfo.InvariantCulture));
        return merged;
    }
}
