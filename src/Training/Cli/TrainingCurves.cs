using Recommender.Training.Trainers;
using ScottPlot;

namespace Recommender.Training.Cli;

/// <summary>A PNG with two panels per run: training loss and validation ndcg@10 per epoch, one line per model.</summary>
internal static class TrainingCurves
{
    public static void Write(string path, IReadOnlyDictionary<string, IReadOnlyList<EpochReport>> histories)
    {
        // A new Multiplot already holds one plot: that is the loss panel.
        var multiplot = new Multiplot();
        var loss = multiplot.GetPlot(0);
        var ndcg = new Plot();
        multiplot.AddPlot(ndcg);
        foreach (var (model, history) in histories)
        {
            var epochs = history.Select(epoch => (double)epoch.Epoch).ToArray();
            var lossLine = loss.Add.Scatter(epochs, history.Select(epoch => epoch.Loss).ToArray());
            lossLine.LegendText = model;
            var ndcgLine = ndcg.Add.Scatter(epochs, history.Select(epoch => epoch.ValidationNdcg).ToArray());
            ndcgLine.LegendText = model;
        }
        loss.Title("Training loss");
        loss.XLabel("epoch");
        loss.YLabel("mean loss");
        loss.ShowLegend();
        ndcg.Title("Validation ndcg@10");
        ndcg.XLabel("epoch");
        ndcg.YLabel("ndcg@10");
        ndcg.ShowLegend();

        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        multiplot.SavePng(path, 1400, 560);
    }
}
