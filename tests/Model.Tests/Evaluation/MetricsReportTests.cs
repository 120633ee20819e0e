using System.Text.Json;
using Recommender.Model.Evaluation;

namespace Recommender.Model.Tests.Evaluation;

public class MetricsReportTests
{
    private static MetricsReport CreateReport()
    {
        var split = SplitProtocols.Create(SplitProtocols.Stratified, new SplitOptions { K = 5 })
            .Split(TestDatasets.WithUserCounts(8, 9, 10), seed: 42);
        var report = MetricsReport.For(split);
        report.AddModel("popularity", new RankingMetricsSummary(5, 3, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7), trainSeconds: 0.25);
        return report;
    }

    [Fact]
    public void WritesTheDocumentedLayout()
    {
        using var document = JsonDocument.Parse(CreateReport().ToJson());
        var root = document.RootElement;

        Assert.Equal("test", root.GetProperty("dataset").GetProperty("name").GetString());
        Assert.Equal(3, root.GetProperty("dataset").GetProperty("users").GetInt32());
        Assert.Equal(10, root.GetProperty("dataset").GetProperty("items").GetInt32());
        Assert.Equal(27, root.GetProperty("dataset").GetProperty("interactions").GetInt32());
        var protocol = root.GetProperty("protocol");
        Assert.Equal("stratified", protocol.GetProperty("name").GetString());
        Assert.Equal(42, protocol.GetProperty("seed").GetInt32());
        Assert.Equal(5, protocol.GetProperty("k").GetInt32());
        Assert.Equal(0.75, protocol.GetProperty("ratio").GetDouble());
        Assert.Equal("user", protocol.GetProperty("stratify_by").GetString());
        var model = root.GetProperty("models").GetProperty("popularity");
        Assert.Equal(
            ["precision@5", "recall@5", "ndcg@5", "map", "hr@5", "mrr@5", "coverage@5", "train_seconds"],
            model.EnumerateObject().Select(property => property.Name));
        Assert.Equal(0.3, model.GetProperty("ndcg@5").GetDouble());
        Assert.Equal(0.25, model.GetProperty("train_seconds").GetDouble());
        Assert.Contains("\n  \"dataset\"", CreateReport().ToJson());
    }

    [Fact]
    public void RoundTripsThroughAFileKeepingExtraNumbersAndFields()
    {
        var report = CreateReport();
        report.Models["popularity"][MetricNames.Rmse] = 0.93;
        report.AdditionalFields["peak_working_set_mb"] = JsonSerializer.SerializeToElement(512.5);
        var path = Path.Combine(Path.GetTempPath(), $"metrics-{Guid.NewGuid():N}.json");
        try
        {
            report.Write(path);
            var read = MetricsReport.Read(path);

            Assert.Equal(report.ToJson(), read.ToJson());
            Assert.Equal(0.93, read.Models["popularity"]["rmse"]);
            Assert.Equal(512.5, read.AdditionalFields["peak_working_set_mb"].GetDouble());
            Assert.Equal(0.75, read.Protocol.Parameters["ratio"].GetDouble());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadingAnIncompleteFileNamesIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"metrics-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "models": {} }""");
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => MetricsReport.Read(path));

            Assert.StartsWith(path, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
