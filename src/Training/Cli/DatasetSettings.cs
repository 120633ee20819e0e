using System.ComponentModel;
using Spectre.Console.Cli;

namespace Recommender.Training.Cli;

/// <summary>The data set a command loads: <c>--data</c> and <c>--skip-bad-rows</c>.</summary>
internal class DatasetSettings : CommandSettings
{
    [CommandOption("--data <PATH>", true)]
    [Description("MovieLens folder, release .zip or ratings file to load.")]
    public required string Data { get; init; }

    [CommandOption("--skip-bad-rows")]
    [Description("Skip malformed rows (counted in the ingestion report) instead of failing.")]
    public bool SkipBadRows { get; init; }
}
