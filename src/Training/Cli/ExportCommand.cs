using System.ComponentModel;
using Recommender.Model.Evaluation;
using Recommender.Training.Trainers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Recommender.Training.Cli;

/// <summary>
/// <c>export</c>: turns a saved <c>train</c> run (its model/ folder and run.json) into a serving bundle. The split is
/// rebuilt from the same data and options, so the bundle's histories, seen sets and popularity are those the model
/// was trained and evaluated on; data whose fingerprint differs from the run's is refused.
/// </summary>
[Description("Write the serving bundle (ONNX model, tables, catalogue) of a saved training run.")]
internal sealed class ExportCommand(IDatasetLoader datasets, CliConsoles consoles) : Command<ExportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--run <DIR>", true)]
        [Description("The --out folder of a 'train' run (holds run.json and model/).")]
        public required string Run { get; init; }

        [CommandOption("--data <PATH>")]
        [Description("The data set the run was trained on, when it has moved since (default: the path in run.json).")]
        public string? Data { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Bundle folder to write (replaced if it exists; default: <run>/bundle).")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var runFolder = settings.Run;
        var recordPath = Path.Combine(runFolder, TrainingRunRecord.FileName);
        var record = TrainingRunRecord.Read(runFolder);
        if (record.Model != TrainCommand.MainModel)
        {
            throw new CommandFailedException(
                $"{recordPath}: the saved model is {record.Model}; only {TrainCommand.MainModel} has a serving bundle.");
        }
        var data = settings.Data ?? record.Data;
        DataSplit split;
        try
        {
            split = CommandSteps.LoadAndSplit(datasets, data, record.Split, consoles.Output);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException)
        {
            throw new CommandFailedException($"{recordPath}: the split cannot be rebuilt: {exception.Message}", exception);
        }
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
        var bundleFolder = settings.Out ?? Path.Combine(runFolder, TrainCommand.BundleFolderName);
        TrainCommand.WriteBundle(trained, split, record.Metrics, bundleFolder, consoles.Output);
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
