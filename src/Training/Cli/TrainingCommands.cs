namespace Recommender.Training.Cli;

/// <summary>The commands of the Recommender.Training executable.</summary>
internal static partial class TrainingCommands
{
    public const string ProgramName = "Recommender.Training";

    public static CommandRegistry CreateDefault()
    {
        var commands = new List<ICommand>();
        AddDataCommands(commands);
        return new CommandRegistry(ProgramName, commands);
    }

    /// <summary>The commands that read a data set through <paramref name="datasets"/>.</summary>
    public static IReadOnlyList<ICommand> DataCommands(IDatasetSource datasets) =>
        [new StatsCommand(datasets), new EvaluateCommand(datasets, EvaluationModels.All)];

    // Implemented in MovieLensDatasetSource.cs, which needs the ingestion code; until that is merged the
    // executable has no data commands (the commands themselves compile and are tested with in-memory sources).
    static partial void AddDataCommands(List<ICommand> commands);
}
