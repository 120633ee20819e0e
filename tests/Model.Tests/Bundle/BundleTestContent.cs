using Recommender.Model.Bundle;

namespace Recommender.Model.Tests.Bundle;

/// <summary>Small hand-made bundle content; the loader does not interpret the ONNX bytes, so any bytes do.</summary>
internal static class BundleTestContent
{
    public static ModelBundleContent Create(int movies = 12, int users = 5, int dim = 4, int precomputed = 3)
    {
        var random = new Random(42);
        float[] RandomFloats(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)random.NextDouble())];
        var histories = Enumerable.Range(0, users).Select(user => (IReadOnlyList<int>)[.. Enumerable.Range(0, user % 4).Select(step => (user + step) % movies)]).ToArray();
        return new ModelBundleContent
        {
            OnnxModel = [8, 1, 18, 3, 1, 2, 3],
            Dim = dim,
            MaxHistory = 3,
            MovieTable = RandomFloats(movies * dim),
            Movies = [.. Enumerable.Range(0, movies).Select(item => new BundleMovie(100 + item, $"Movie \"{item}\", the sequel", item % 5 == 0 ? null : 1990 + item, item % 2 == 0 ? ["Drama"] : ["Comedy", "Sci-Fi"]))],
            UserTable = RandomFloats(users * dim),
            UserIds = [.. Enumerable.Range(0, users).Select(user => 7 * user + 3)],
            History = RaggedIndexTable.FromRows(histories),
            Seen = RaggedIndexTable.FromRows([.. histories.Select(row => (IReadOnlyList<int>)[.. row.Distinct().Order()])]),
            PopularityItems = [.. Enumerable.Range(0, movies).Reverse()],
            PopularityScores = [.. Enumerable.Range(0, movies).Select(rank => (float)(movies - rank))],
            PrecomputedCount = precomputed,
            PrecomputedItems = [.. Enumerable.Range(0, users * precomputed).Select(i => i % precomputed == precomputed - 1 && i < precomputed ? -1 : i % movies)],
            PrecomputedScores = [.. Enumerable.Range(0, users * precomputed).Select(i => i % precomputed == precomputed - 1 && i < precomputed ? float.NaN : 1f / (1 + i))],
            AnonymousVector = RandomFloats(dim),
            DatasetFingerprint = "ab12cd34ef56",
            HyperParameters = new Dictionary<string, string> { ["learningRate"] = "0.001", ["epochs"] = "20" },
            Metrics = new Dictionary<string, double> { ["ndcg@10"] = 0.3125, ["recall@20"] = 0.5 },
        };
    }
}
