using System.Globalization;
using Recommender.Model.Data.Synthetic;
using Recommender.Model.Engine;
using Recommender.Model.Evaluation;
using Recommender.Training.Cli;

namespace Recommender.Training.Tests.Cli;

/// <summary>The data commands as the executable wires them: real files on disk through MovieLens ingestion.</summary>
public sealed class DataCommandsEndToEndTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("data-commands-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int ExitCode, CliRun Captured) Run(params string[] args)
    {
        var run = CliRun.With(TrainingCli.Services.ForProcess(), args);
        return (run.ExitCode, run);
    }

    private string WriteRelease(int users = 120, int movies = 200, int ratings = 6_000) =>
        new SyntheticMovieLensGenerator(new SyntheticDatasetOptions { Users = users, Movies = movies, Ratings = ratings, Seed = 7 })
            .WriteTo(Path.Combine(_folder, "release")).Folder;

    [Fact]
    public void EvaluateWritesMetricsThatTheExportedCsvsReproduce()
    {
        var release = WriteRelease();
        var output = Path.Combine(_folder, "out");

        var (exitCode, captured) = Run("evaluate", "--data", release, "--protocol", "leave-one-out", "--models", "popularity", "--out", output);

        Assert.True(exitCode == 0, captured.Error);
        var report = MetricsReport.Read(Path.Combine(output, "metrics.json"));
        var metrics = report.Models["popularity"];

        var relevant = ReadCsv(Path.Combine(output, "test.csv"))
            .ToLookup(row => row[0], row => row[1]);
        var recommended = ReadCsv(Path.Combine(output, "recommendations.csv"))
            .GroupBy(row => row[0])
            .ToDictionary(group => group.Key, group => group.OrderBy(row => int.Parse(row[1], CultureInfo.InvariantCulture)).Select(row => row[2]).ToList());

        Assert.Equal(120, relevant.Count);
        var hits = relevant.Count(user => recommended[user.Key].Take(10).Intersect(user).Any());
        Approx.Equal(hits / (double)relevant.Count, metrics["hr@10"], rel: 0, abs: 1e-9, "hr@10 from the written recommendations");
    }

    [Fact]
    public void StatsReportsTheFileAndLineOfAMalformedRowAndFails()
    {
        var release = WriteRelease();
        var ratings = Path.Combine(release, "ratings.csv");
        var lines = File.ReadAllLines(ratings);
        lines[3] = "1,2,abc,964982931";
        File.WriteAllLines(ratings, lines);

        var (exitCode, captured) = Run("stats", "--data", release);

        Assert.Equal(1, exitCode);
        Assert.Contains("ratings.csv:4", captured.Error, StringComparison.Ordinal);
        Assert.Contains("abc", captured.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainWritesEveryArtifactForTheProductModelAndItsBaselines()
    {
        var release = WriteRelease(users: 60, movies: 80, ratings: 2_400);
        var output = Path.Combine(_folder, "trained");

        var (exitCode, captured) = Run(
            "train", "--data", release, "--protocol", "leave-one-out", "--models", "gcn-lstm,popularity,bpr",
            "--max-epochs", "1", "--out", output);

        Assert.True(exitCode == 0, captured.Error);
        foreach (var file in new[] { "metrics.json", "test.csv", "recommendations.csv", "recommendations-popularity.csv",
                     "recommendations-bpr.csv", TrainCommand.ReportFileName, TrainCommand.CurvesFileName })
        {
            Assert.True(File.Exists(Path.Combine(output, file)), $"{file} was not written");
        }
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(output, TrainCommand.ModelFolderName)));
        var report = MetricsReport.Read(Path.Combine(output, "metrics.json"));
        Assert.Equal(["gcn-lstm", "popularity", "bpr"], report.Models.Keys);
        Assert.InRange(report.Models["gcn-lstm"]["rmse"], 0, 5);
        Assert.False(report.Models["popularity"].ContainsKey("rmse"));
        Assert.True(report.AdditionalFields["peak_working_set_mb"].GetDouble() > 0);
        Assert.Contains("| gcn-lstm |", File.ReadAllText(Path.Combine(output, TrainCommand.ReportFileName)), StringComparison.Ordinal);

        using var engine = RecommendationEngine.Load(Path.Combine(output, TrainCommand.BundleFolderName));
        var firstUser = int.Parse(ReadCsv(Path.Combine(output, "test.csv")).First()[0], CultureInfo.InvariantCulture);
        var recommended = engine.RecommendForUser(firstUser, 5);
        Assert.Equal(5, recommended.Items.Count);
        Assert.Equal(RecommendationPath.Personalised, recommended.Path);

        var bundle = Path.Combine(output, TrainCommand.BundleFolderName);
        var (jsonExit, json) = Run("recommend", "--bundle", bundle, "--user", firstUser.ToString(CultureInfo.InvariantCulture), "--count", "3", "--format", "json");
        Assert.True(jsonExit == 0, json.Error);
        using (var document = System.Text.Json.JsonDocument.Parse(json.Output))
        {
            Assert.Equal("personalised", document.RootElement.GetProperty("path").GetString());
            Assert.Equal(3, document.RootElement.GetProperty("results").GetArrayLength());
        }

        var movies = Path.Combine(bundle, "movies.json");
        File.WriteAllText(movies, File.ReadAllText(movies) + " ");
        var (damagedExit, damaged) = Run("recommend", "--bundle", bundle, "--user", firstUser.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(ExitCodes.Failure, damagedExit);
        Assert.Contains("movies.json", damaged.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ExportRebuildsTheBundleOfASavedRunAndRefusesOtherData()
    {
        var release = WriteRelease(users: 60, movies: 80, ratings: 2_400);
        var run = Path.Combine(_folder, "run");
        var (trainExit, train) = Run(
            "train", "--data", release, "--protocol", "leave-one-out", "--k-core", "2", "--max-epochs", "1", "--out", run);
        Assert.True(trainExit == 0, train.Error);

        var exported = Path.Combine(_folder, "exported");
        var (exportExit, export) = Run("export", "--run", run, "--out", exported);

        Assert.True(exportExit == 0, export.Error);
        var trainedBundle = Path.Combine(run, TrainCommand.BundleFolderName);
        var dataFiles = Directory.GetFiles(trainedBundle).Select(Path.GetFileName).Where(name => name != "manifest.json").Order().ToList();
        Assert.Equal(dataFiles, Directory.GetFiles(exported).Select(Path.GetFileName).Where(name => name != "manifest.json").Order());
        foreach (var file in dataFiles)
        {
            Assert.True(
                File.ReadAllBytes(Path.Combine(trainedBundle, file!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(exported, file!))),
                $"{file} differs between the bundle written by train and the exported one");
        }
        using (var engine = RecommendationEngine.Load(exported))
        {
            Assert.Equal(RecommendationPath.Personalised, engine.RecommendForUser(int.Parse(ReadCsv(Path.Combine(run, "test.csv")).First()[0], CultureInfo.InvariantCulture), 5).Path);
        }

        var ratings = Path.Combine(release, "ratings.csv");
        File.WriteAllLines(ratings, File.ReadAllLines(ratings).SkipLast(1));
        var (changedExit, changed) = Run("export", "--run", run, "--out", Path.Combine(_folder, "refused"));
        Assert.Equal(ExitCodes.Failure, changedExit);
        Assert.Contains("fingerprint", changed.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "refused")));

        var (missingExit, missing) = Run("export", "--run", _folder);
        Assert.Equal(ExitCodes.Failure, missingExit);
        Assert.Contains("run.json", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainRejectsAnUnknownModelWithTheValidNames()
    {
        var (exitCode, captured) = Run("train", "--data", _folder, "--models", "gcn-lstm,svd", "--out", _folder);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("Unknown model 'svd'", captured.Error, StringComparison.Ordinal);
        Assert.Contains("lightgcn", captured.Error, StringComparison.Ordinal);
    }

    private static IEnumerable<string[]> ReadCsv(string path) =>
        File.ReadLines(path).Skip(1).Select(line => line.Split(','));
}
