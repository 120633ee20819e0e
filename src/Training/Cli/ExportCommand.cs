using Recommender.Model.Evaluation;
using Recommender.Training.Trainers;

namespace Recommender.Training.Cli;

/// <summary>
/// <c>export</c>: turns a saved <c>train</c> run (its model/ folder and run.json) into a serving bundle. The split is
/// rebuilt from the same data and options, so the bundle's histories, seen sets and popularity are those the model
/// was trained and evaluated on; data whose fingerprint differs from the run's is refused.
/// </summary>
internal sealed class ExportCommand(IDatasetLoader datasets) : ICommand
{
    private readonly TrainCommand _train = new(datasets);

    public string Name => "export";

    public string Summary => "Write the serving bundle (ONNX model, tables, catalogue) of a saved training run.";

    public IReadOnlyList<CommandOption> Options { get; } =
    [
        new("run", "The --out folder of a 'train' run (holds run.json and model/).", "dir", Required: true),
        new("data", "The data set the run was trained on, when it has moved since (default: the path in run.json).", "path"),
        new("out", "Bundle folder to write (replaced if it exists; default: <run>/bundle).", "dir"),
    ];

    public int Execute(CommandArguments arguments, CommandContext context)
    {
        var runFolder = arguments.RequiredValue("run");
        var record = TrainingRunRecord.Read(runFolder);
        if (record.Model != TrainCommand.MainModel)
        {
            throw new CommandFailedException(
                $"{Path.Combine(runFolder, TrainingRunRecord.FileName)}: the saved model is {record.Model}; only {TrainCommand.MainModel} has a serving bundle.");
        }
        var data = arguments.Value("data") ?? record.Data;
        var splitArguments = CommandArguments.Parse(_train, ["--data", data, "--out", runFolder, .. record.SplitCommandLine]);
        var protocol = SplitArguments.ReadProtocol(splitArguments);
        var split = SplitArguments.LoadAndSplit(datasets, splitArguments, protocol, splitArguments.Int32("seed"), context.Output);
        if (split.Dataset.Fingerprint != record.DatasetFingerprint)
        {
            throw new CommandFailedException(
                $"{data}: data set fingerprint {split.Dataset.Fingerprint} differs from the run's {record.DatasetFingerprint}; export needs the data the model was trained on.");
        }

        var modelFolder = Path.Combine(runFolder, TrainCommand.ModelFolderName);
        using var trained = LoadModel(modelFolder);
        if (!split.Dataset.Users.RawIds.SequenceEqual([.. trained.UserRawIds]) || !split.Dataset.Items.RawIds.SequenceEqual([.. trained.ItemRawIds]))
        {
            throw new CommandFailedException($"{modelFolder}: the model's user or movie ids differ from those of {data}.");
        }
        var bundleFolder = arguments.Value("out") ?? Path.Combine(runFolder, TrainCommand.BundleFolderName);
        TrainCommand.WriteBundle(trained, split, record.Metrics, bundleFolder, context.Output);
        return ExitCodes.Success;
    }

    private static TrainedModel LoadModel(string modelFolder)
    {
        try
        {
            return TrainedModel.Load(modelFolder);
        }
        catch (InvalidDataException exception)
        {
            throw new CommandFailedException(exception.Message, exception);
        }
    }
}
