namespace Recommender.Training.Cli;

/// <summary>The commands of the Recommender.Training executable.</summary>
internal static class TrainingCommands
{
    public const string ProgramName = "Recommender.Training";

    public static CommandRegistry CreateDefault() =>
        new(ProgramName, [.. DataCommands(new MovieLensDatasetLoader()), new RetrainCommand(Environment.GetEnvironmentVariable)]);

    /// <summary>The commands that read a data set through <paramref name="datasets"/>.</summary>
    public static IReadOnlyList<ICommand> DataCommands(IDatasetLoader datasets) =>
        [new StatsCommand(datasets), new EvaluateCommand(datasets, EvaluationModels.All), new GenerateCommand(), new TrainCommand(datasets), new ExportCommand(datasets), new RecommendCommand()];
}
