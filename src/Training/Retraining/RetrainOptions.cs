using System.Globalization;
using Recommender.Training.Trainers;

namespace Recommender.Training.Retraining;

/// <summary>Where training runs.</summary>
public enum RetrainMode
{
    /// <summary>In the process that took the retrain lock (the Function App or the CLI).</summary>
    InProcess,

    /// <summary>In an Azure Container Apps job (the GPU path), started through the ARM REST API.</summary>
    ContainerAppsJob,
}

/// <summary>How retraining runs, read from the settings named in <see cref="RetrainSettingNames"/>.</summary>
public sealed record RetrainOptions
{
    public const string InProcessModeName = "in-process";
    public const string ContainerAppsJobModeName = "container-apps-job";
    public const double DefaultQualityGateMargin = 0.02;
    public static readonly Uri DefaultArmEndpoint = new("https://management.azure.com/");

    public RetrainMode Mode { get; init; } = RetrainMode.InProcess;

    /// <summary>/subscriptions/…/resourceGroups/…/providers/Microsoft.App/jobs/NAME; required in <see cref="RetrainMode.ContainerAppsJob"/>.</summary>
    public string? JobResourceId { get; init; }

    public Uri ArmEndpoint { get; init; } = DefaultArmEndpoint;

    /// <summary>How far (relative, 0..1) the candidate's ndcg@k may fall below the published model's.</summary>
    public double QualityGateMargin { get; init; } = DefaultQualityGateMargin;

    /// <summary>Cap on training epochs (graph warm-up and joint stage alike); null keeps the trainer's defaults.</summary>
    public int? MaxEpochs { get; init; }

    /// <summary>Scratch folder for bundles during a run.</summary>
    public string WorkFolder { get; init; } = Path.Combine(Path.GetTempPath(), "recommender-retrain");

    /// <summary>Hyper-parameters of the gcn-lstm model before <see cref="MaxEpochs"/> applies.</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>The ranking cut-off the gate compares on (ndcg@K).</summary>
    public int K { get; init; } = 10;

    /// <summary>How long the retrain lock outlives a crashed holder (15 to 60 s).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The training options with the epoch cap applied.</summary>
    public TrainingOptions EffectiveTraining() => MaxEpochs is { } cap
        ? Training with { MaxEpochs = Math.Min(Training.MaxEpochs, cap), GraphWarmupEpochs = Math.Min(Training.GraphWarmupEpochs, cap) }
        : Training;

    /// <summary>Reads the settings through <paramref name="setting"/> (blank counts as unset) and validates them.</summary>
    /// <exception cref="RetrainConfigurationException">A setting is invalid (the message names it).</exception>
    public static RetrainOptions FromSettings(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        string? Read(string name) => setting(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var options = new RetrainOptions
        {
            Mode = Read(RetrainSettingNames.Mode) is { } mode ? ParseMode(mode) : RetrainMode.InProcess,
            JobResourceId = Read(RetrainSettingNames.JobResourceId),
            ArmEndpoint = Read(RetrainSettingNames.ArmEndpoint) is { } endpoint ? ParseEndpoint(endpoint) : DefaultArmEndpoint,
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

    /// <exception cref="RetrainConfigurationException">A value is invalid (the message names its setting).</exception>
    public void Validate()
    {
        if (Mode == RetrainMode.ContainerAppsJob)
        {
            if (string.IsNullOrWhiteSpace(JobResourceId))
            {
                throw new RetrainConfigurationException(RetrainSettingNames.JobResourceId,
                    $"{RetrainSettingNames.Mode} is '{ContainerAppsJobModeName}' but {RetrainSettingNames.JobResourceId} is not set: give the job's resource id " +
                    "(/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.App/jobs/NAME).");
            }
            if (!JobResourceId.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase)
                || !JobResourceId.Contains("/providers/Microsoft.App/jobs/", StringComparison.OrdinalIgnoreCase))
            {
                throw new RetrainConfigurationException(RetrainSettingNames.JobResourceId,
                    $"{RetrainSettingNames.JobResourceId} '{JobResourceId}' is not a Container Apps job resource id " +
                    "(/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.App/jobs/NAME).");
            }
        }
        if (QualityGateMargin is < 0 or >= 1 || double.IsNaN(QualityGateMargin))
        {
            throw new RetrainConfigurationException(RetrainSettingNames.QualityGateMargin,
                $"{RetrainSettingNames.QualityGateMargin} must be in [0, 1) (a relative margin, 0.02 = 2%), not {QualityGateMargin.ToString(CultureInfo.InvariantCulture)}.");
        }
        if (MaxEpochs is < 1)
        {
            throw new RetrainConfigurationException(RetrainSettingNames.MaxEpochs, $"{RetrainSettingNames.MaxEpochs} must be at least 1, not {MaxEpochs}.");
        }
        if (string.IsNullOrWhiteSpace(WorkFolder))
        {
            throw new RetrainConfigurationException(RetrainSettingNames.WorkFolder, $"{RetrainSettingNames.WorkFolder} must name a folder.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(K, 1, nameof(K));
    }

    public static string ModeName(RetrainMode mode) => mode == RetrainMode.ContainerAppsJob ? ContainerAppsJobModeName : InProcessModeName;

    private static RetrainMode ParseMode(string value) => value.ToLowerInvariant() switch
    {
        InProcessModeName => RetrainMode.InProcess,
        ContainerAppsJobModeName => RetrainMode.ContainerAppsJob,
        _ => throw new RetrainConfigurationException(RetrainSettingNames.Mode,
            $"{RetrainSettingNames.Mode} '{value}' is not a mode: use '{InProcessModeName}' or '{ContainerAppsJobModeName}'."),
    };

    private static Uri ParseEndpoint(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
            ? (url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/"))
            : throw new RetrainConfigurationException(RetrainSettingNames.ArmEndpoint,
                $"{RetrainSettingNames.ArmEndpoint} '{value}' is not an http(s) URL such as {DefaultArmEndpoint}.");

    private static double ParseMargin(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var margin)
            ? margin
            : throw new RetrainConfigurationException(RetrainSettingNames.QualityGateMargin,
                $"{RetrainSettingNames.QualityGateMargin} '{value}' is not a number (for example 0.02).");

    private static int ParseEpochs(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var epochs)
            ? epochs
            : throw new RetrainConfigurationException(RetrainSettingNames.MaxEpochs, $"{RetrainSettingNames.MaxEpochs} '{value}' is not a whole number.");
}

/// <summary>A retraining setting is invalid; <see cref="Setting"/> names it.</summary>
public sealed class RetrainConfigurationException(string setting, string message) : Exception(message)
{
    public string Setting { get; } = setting;
}
