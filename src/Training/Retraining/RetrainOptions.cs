using System.Globalization;
using Recommender.Model;
using Recommender.Model.Retraining;
using Recommender.Training.Trainers;

namespace Recommender.Training.Retraining;

/// <summary>How a retraining run trains and gates (in the training CLI), read from the settings named in <see cref="RetrainSettingNames"/>.</summary>
public sealed record RetrainOptions
{
    public const double DefaultQualityGateMargin = 0.02;

    /// <summary>How far (relative, 0..1) the candidate's ndcg@k may fall below the published model's.</summary>
    public double QualityGateMargin { get; init; } = DefaultQualityGateMargin;

    /// <summary>Cap on training epochs (graph warm-up and joint stage alike); null keeps the trainer's defaults.</summary>
    public int? MaxEpochs { get; init; }

    /// <summary>Scratch folder for bundles during a run.</summary>
    public string WorkFolder { get; init; } = Path.Combine(Path.GetTempPath(), "recommender-retrain");

    /// <summary>Hyper-parameters of the gcn-lstm model before <see cref="MaxEpochs"/> applies.</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>Memory training may use (bytes), from which the step sizes are chosen; null: 80% of the container's or machine's memory.</summary>
    public long? MemoryBudgetBytes { get; init; }

    /// <summary>The ranking cut-off the gate compares on (ndcg@K).</summary>
    public int K { get; init; } = 10;

    /// <summary>How long the retrain lock outlives a crashed holder (15 to 60 s).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The training options with the epoch cap applied.</summary>
    public TrainingOptions EffectiveTraining() => MaxEpochs is { } cap ? Training.WithMaxEpochs(Math.Min(Training.MaxEpochs, cap)) : Training;

    /// <summary>Reads the settings through <paramref name="setting"/> (blank counts as unset) and validates them.</summary>
    /// <exception cref="SettingException">A setting is invalid (the message names it).</exception>
    public static RetrainOptions FromSettings(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        string? Read(string name) => setting(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var options = new RetrainOptions
        {
            QualityGateMargin = Read(RetrainSettingNames.QualityGateMargin) is { } margin ? ParseMargin(margin) : DefaultQualityGateMargin,
            MaxEpochs = Read(RetrainSettingNames.MaxEpochs) is { } epochs ? ParseEpochs(epochs) : null,
        };
        if (Read(RetrainSettingNames.WorkFolder) is { } folder)
        {
            options = options with { WorkFolder = folder };
        }
        options.Validate();
        return options;
    }

    public static RetrainOptions FromEnvironment() => FromSettings(Environment.GetEnvironmentVariable);

    /// <exception cref="SettingException">A value is invalid (the message names its setting).</exception>
    public void Validate()
    {
        if (QualityGateMargin is < 0 or >= 1 || double.IsNaN(QualityGateMargin))
        {
            throw new SettingException(RetrainSettingNames.QualityGateMargin,
                $"{RetrainSettingNames.QualityGateMargin} must be in [0, 1) (a relative margin, 0.02 = 2%), not {QualityGateMargin.ToString(CultureInfo.InvariantCulture)}.");
        }
        if (MaxEpochs is < 1)
        {
            throw new SettingException(RetrainSettingNames.MaxEpochs, $"{RetrainSettingNames.MaxEpochs} must be at least 1, not {MaxEpochs}.");
        }
        if (string.IsNullOrWhiteSpace(WorkFolder))
        {
            throw new SettingException(RetrainSettingNames.WorkFolder, $"{RetrainSettingNames.WorkFolder} must name a folder.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(K, 1, nameof(K));
    }

    private static double ParseMargin(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var margin)
            ? margin
            : throw new SettingException(RetrainSettingNames.QualityGateMargin,
                $"{RetrainSettingNames.QualityGateMargin} '{value}' is not a number (for example 0.02).");

    private static int ParseEpochs(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var epochs)
            ? epochs
            : throw new SettingException(RetrainSettingNames.MaxEpochs, $"{RetrainSettingNames.MaxEpochs} '{value}' is not a whole number.");
}
