namespace Recommender.Training.Cli;

/// <summary>The commands of the Recommender.Training executable.</summary>
internal static class TrainingCommands
{
    public const string ProgramName = "Recommender.Training";

    public static CommandRegistry CreateDefault() => Create(Environment.GetEnvironmentVariable);

    /// <summary>Every command; the storage commands read their app settings through <paramref name="settings"/>.</summary>
    public static CommandRegistry Create(Func<string, string?> settings)
    {
        var datasets = new MovieLensDatasetLoader();
        return new(ProgramName, [.. DataCommands(datasets), new UploadDataCommand(datasets, settings), new RetrainCommand(settings)]);
    }

    /// <summary>The commands that read a data set through <paramref name="datasets"/>.</summary>
    public static IReadOnlyList<ICommand> DataCommands(IDatasetLoader datasets) =>
        [new StatsCommand(datasets), new EvaluateCommand(datasets, EvaluationModels.All), new GenerateCommand(), new TrainCommand(datasets), new ExportCommand(datasets), new RecommendCommand()];
}
