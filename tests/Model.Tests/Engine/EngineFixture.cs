using Recommender.Model.Engine;
using Recommender.Training.Export;

namespace Recommender.Model.Tests.Engine;

/// <summary>One synthetic bundle exported with the real graph builder, loaded into an engine shared by a test class.</summary>
public sealed class EngineFixture : IDisposable
{
    public const int Movies = 400;
    public const int Users = 80;
    public const int Dim = 16;
    public const int MaxHistory = 20;
    public const int Precomputed = 30;

    private readonly TemporaryFolder _folder = new();

    public EngineFixture()
    {
        Weights = SyntheticModel.CreateWeights(seed: 7, Movies, Users, Dim, hidden: 24, layers: 2, MaxHistory);
        Data = SyntheticModel.CreateExportData(seed: 8, Weights);
        ModelBundleExporter.Export(Weights, Data, _folder.Combine("bundle"), Precomputed);
        Engine = RecommendationEngine.Load(_folder.Combine("bundle"));
        Model = new UserVectorModel(Engine.Bundle.Content.OnnxModel, Dim);
    }

    public GcnLstmInferenceWeights Weights { get; }
    public BundleExportData Data { get; }
    public RecommendationEngine Engine { get; }

    /// <summary>A second session on the bundle's graph, for computing expected user vectors independently.</summary>
    public UserVectorModel Model { get; }

    public int MovieId(int item) => Data.Movies[item].MovieId;

    /// <summary>Brute-force ranking: every accepted item by descending u · E[item], ties to the lower index.</summary>
    public (int Item, float Score)[] Rank(float[] userVector, Func<int, bool> accept, int count) =>
        [.. Enumerable.Range(0, Movies).Where(accept)
            .Select(item => (Item: item, Score: Dot(userVector, item)))
            .OrderByDescending(pair => pair.Score).ThenBy(pair => pair.Item).Take(count)];

    public float[] UserVector(int user)
    {
        var history = Data.History.Row(user);
        var graph = Weights.UserTable.AsSpan(user * Dim, Dim);
        var vector = new float[Dim];
        if (history.IsEmpty)
        {
            graph.CopyTo(vector);
        }
        else
        {
            Model.Compute(history, graph, vector);
        }
        return vector;
    }

    public float[] SessionVector(IReadOnlyList<int> items)
    {
        var vector = new float[Dim];
        Model.Compute(items.TakeLast(MaxHistory).ToArray(), Weights.Anonymous, vector);
        return vector;
    }

    private float Dot(float[] vector, int item)
    {
        // Same kernel order as the engine is not required: expected scores are compared with a tolerance.
        double sum = 0;
        for (var d = 0; d < Dim; d++)
        {
            sum += (double)vector[d] * Weights.MovieTable[item * Dim + d];
        }
        return (float)sum;
    }

    public void Dispose()
    {
        Model.Dispose();
        Engine.Dispose();
        _folder.Dispose();
    }
}
