using Recommender.Model.Evaluation;

namespace Recommender.Model.Tests.Evaluation;

public sealed class EvaluationCsvTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("evaluation-csv-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TestSetUsesRawIds()
    {
        var split = TestDatasets.Split(train: [(7, 100), (9, 300)], validation: [], test: [(9, 100), (7, 300)]);
        var path = Path.Combine(_folder, "test.csv");

        EvaluationCsv.WriteInteractions(path, split.Test, split.Dataset);

        Assert.Equal("userId,movieId\n9,100\n7,300\n", File.ReadAllText(path));
    }

    [Fact]
    public void RecommendationsHoldRankAndRoundTripScores()
    {
        var split = TestDatasets.Split(
            train: [(7, 100), (9, 300)], validation: [], test: [(9, 100), (7, 300), (7, 400)]);
        var scorer = MatrixScorer.FromRawIds(split.Dataset, (userId, movieId) => userId == 7 ? 1f / movieId : movieId / 3f);
        var result = new RankingEvaluator().Evaluate(split, EvaluationTarget.Test, scorer, k: 2);
        var path = Path.Combine(_folder, "recommendations.csv");

        EvaluationCsv.WriteRecommendations(path, result.Recommendations, split.Dataset);

        var lines = File.ReadAllLines(path);
        Assert.Equal("userId,rank,movieId,score", lines[0]);
        Assert.Equal(["7,1,300", "7,2,400", "9,1,400", "9,2,100"], lines[1..].Select(line => line[..line.LastIndexOf(',')]));
        var scores = lines[1..].Select(line => float.Parse(line[(line.LastIndexOf(',') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal([1f / 300, 1f / 400, 400 / 3f, 100 / 3f], scores);
    }
}
