using System.Globalization;
using Recommender.Model.Evaluation;
using Recommender.Training.Cli;

namespace Recommender.Training.Tests.Cli;

public sealed class EvaluateCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("evaluate-command-").FullName;
    private readonly InMemoryDatasetLoader _source = new(() => InMemoryDatasets.Create());

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // Ranks movies by their raw id, ascending: a second model to check per-model files.
    private static readonly EvaluationModel LowestIdFirst = new(
        "lowest-id",
        "Scores movies by minus their raw id.",
        split => new RawIdScorer(split));

    private sealed class RawIdScorer(DataSplit split) : IItemScorer
    {
        public int ItemCount => split.Train.ItemCount;

        public void ScoreUsers(ReadOnlySpan<int> users, Span<float> scores)
        {
            for (var row = 0; row < users.Length; row++)
            {
                for (var item = 0; item < ItemCount; item++)
                {
                    scores[row * ItemCount + item] = -split.Dataset.Items.GetRawId(item);
                }
            }
        }
    }

    private (int ExitCode, CliRun Captured) Run(params string[] args)
    {
        var run = CliRun.With(_source, [EvaluationModels.Popularity, LowestIdFirst], ["evaluate", .. args]);
        return (run.ExitCode, run);
    }

    [Fact]
    public void WritesMetricsTestSetAndRecommendationsThatMatchTheEvaluator()
    {
        var (exitCode, captured) = Run("--data", "/data/tiny", "--protocol", "stratified", "--models", "popularity", "--out", _folder, "--seed", "3", "-k", "5");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal([("/data/tiny", false)], _source.Calls);
        var report = MetricsReport.Read(Path.Combine(_folder, "metrics.json"));
        Assert.Equal("tiny", report.Dataset.Name);
        Assert.Equal("stratified", report.Protocol.Name);
        Assert.Equal(3, report.Protocol.Seed);
        Assert.Equal(5, report.Protocol.K);

        var split = SplitProtocols.Create("stratified", new SplitOptions { K = 5 }).Split(InMemoryDatasets.Create(), seed: 3);
        var expected = new RankingEvaluator().Evaluate(split, EvaluationTarget.Test, PopularityRecommender.Fit(split), k: 5);
        var popularity = report.Models["popularity"];
        foreach (var (name, value) in expected.Metrics.Named())
        {
            Assert.Equal(value, popularity[name]);
        }
        Assert.True(popularity["train_seconds"] >= 0);

        var testLines = File.ReadAllLines(Path.Combine(_folder, "test.csv"));
        Assert.Equal("userId,movieId", testLines[0]);
        Assert.Equal(split.Test.Count, testLines.Length - 1);
        var recommendationLines = File.ReadAllLines(Path.Combine(_folder, "recommendations.csv"));
        Assert.Equal("userId,rank,movieId,score", recommendationLines[0]);
        var firstUser = split.Dataset.Users.GetRawId(expected.Recommendations.Users[0]);
        var firstMovie = split.Dataset.Items.GetRawId(expected.Recommendations.ItemsOf(0)[0]);
        var firstScore = expected.Recommendations.ScoresOf(0)[0].ToString(CultureInfo.InvariantCulture);
        Assert.Equal($"{firstUser},1,{firstMovie},{firstScore}", recommendationLines[1]);
        Assert.Equal(expected.Recommendations.Count * 5, recommendationLines.Length - 1);

        Assert.Contains("ndcg@5", captured.Output);
        Assert.Contains(popularity["ndcg@5"].ToString("F4", CultureInfo.InvariantCulture), captured.Output);
    }

    [Fact]
    public void AdditionalModelsGetTheirOwnRecommendationsFile()
    {
        var (exitCode, _) = Run("--data", "d", "--protocol", "leave-one-out", "--models", "popularity,lowest-id", "--out", _folder, "--skip-bad-rows");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.True(_source.Calls.Single().SkipBadRows);
        var report = MetricsReport.Read(Path.Combine(_folder, "metrics.json"));
        Assert.Equal(["popularity", "lowest-id"], report.Models.Keys);
        Assert.Equal("0", report.Protocol.Parameters["k_core"].GetRawText());
        Assert.True(File.Exists(Path.Combine(_folder, "recommendations.csv")));
        var lowestId = File.ReadAllLines(Path.Combine(_folder, "recommendations-lowest-id.csv"));
        // Each user's list holds movie ids in ascending order, ranked 1..10.
        Assert.Equal("userId,rank,movieId,score", lowestId[0]);
        foreach (var list in lowestId.Skip(1).Select(line => line.Split(',')).GroupBy(fields => fields[0]))
        {
            Assert.Equal(Enumerable.Range(1, 10).Select(rank => rank.ToString(CultureInfo.InvariantCulture)), list.Select(fields => fields[1]));
            var movies = list.Select(fields => int.Parse(fields[2], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(movies.Order(), movies);
        }
        Assert.False(File.Exists(Path.Combine(_folder, "recommendations-popularity.csv")));
    }

    [Theory]
    [InlineData("Unknown protocol 'random'. Valid protocols: stratified, leave-one-out, temporal, session.", "--protocol", "random", "--models", "popularity")]
    [InlineData("Unknown model 'bpr'. Valid models: popularity, lowest-id.", "--protocol", "stratified", "--models", "popularity,bpr")]
    [InlineData("Model 'popularity' is listed more than once in --models.", "--protocol", "stratified", "--models", "popularity,popularity")]
    [InlineData("Option '--models' lists no model.", "--protocol", "stratified", "--models", ",")]
    [InlineData("Option '--cut' applies only to --protocol temporal, not stratified.", "--protocol", "stratified", "--models", "popularity", "--cut", "0.8")]
    [InlineData("Option '--stratify-by' expects 'user' or 'item', got 'movie'.", "--protocol", "stratified", "--models", "popularity", "--stratify-by", "movie")]
    [InlineData("Option '-k' must be at least 1, got 0.", "--protocol", "stratified", "--models", "popularity", "-k", "0")]
    [InlineData("Option '--k-core': five is not a valid value for Int32.", "--protocol", "leave-one-out", "--models", "popularity", "--k-core", "five")]
    [InlineData("Option '--cut': 'next week' is neither a quantile in (0, 1) nor an ISO 8601 instant.", "--protocol", "temporal", "--models", "popularity", "--cut", "next week")]
    public void BadOptionsAreUsageErrorsFoundBeforeLoading(string message, params string[] args)
    {
        var (exitCode, captured) = Run(["--data", "d", "--out", _folder, .. args]);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains($"error: {message}", captured.Error);
        Assert.Empty(_source.Calls);
        Assert.False(File.Exists(Path.Combine(_folder, "metrics.json")));
    }

    [Fact]
    public void TemporalOptionsReachTheSplit()
    {
        var (exitCode, _) = Run("--data", "d", "--protocol", "temporal", "--models", "popularity", "--out", _folder, "--cut", "0.8");

        Assert.Equal(ExitCodes.Success, exitCode);
        var report = MetricsReport.Read(Path.Combine(_folder, "metrics.json"));
        Assert.Equal(0.8, report.Protocol.Parameters["cut_quantile"].GetDouble());
    }

    [Fact]
    public void SplitThatCannotBeMadeFailsWithExitCodeOne()
    {
        var (exitCode, captured) = Run("--data", "d", "--protocol", "temporal", "--models", "popularity", "--out", _folder, "--cut", "2030-01-01T00:00:00Z");

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("Cannot split tiny with temporal: The temporal cut at 2030-01-01T00:00:00Z leaves no test interactions", captured.Error);
    }

    [Fact]
    public void LoaderFailuresExitWithOneAndTheLoaderMessage()
    {
        var failing = new InMemoryDatasetLoader(() => throw new CommandFailedException("u.data:3: expected 4 tab-separated fields, got 2"));
        var captured = CliRun.With(failing, "evaluate", "--data", "d", "--protocol", "stratified", "--models", "popularity", "--out", _folder);

        Assert.Equal(ExitCodes.Failure, captured.ExitCode);
        Assert.Contains("u.data:3: expected 4 tab-separated fields, got 2", captured.Error);
    }
}
