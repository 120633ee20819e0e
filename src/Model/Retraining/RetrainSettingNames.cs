namespace Recommender.Model.Retraining;

/// <summary>
/// The app settings (environment variables) retraining reads, in the Function App and in the training job alike:
/// the one list of their names, which local.settings.sample.json and the Bicep template must match.
/// </summary>
public static class RetrainSettingNames
{
    /// <summary>NCRONTAB schedule of the Retrain timer (six fields, UTC); default daily at 03:00.</summary>
    public const string Schedule = "RETRAIN_SCHEDULE";

    /// <summary>Where training runs: "process" (default: the training CLI as a child process) or "container-apps-job" (the GPU path).</summary>
    public const string Mode = "RETRAIN_MODE";

    /// <summary>The training CLI the "process" mode starts: Recommender.Training.dll (run with dotnet) or an executable.</summary>
    public const string Cli = "RETRAIN_CLI";

    /// <summary>ARM resource id of the Container Apps job started in "container-apps-job" mode.</summary>
    public const string JobResourceId = "RETRAIN_JOB_RESOURCE_ID";

    /// <summary>Azure Resource Manager endpoint (default https://management.azure.com/).</summary>
    public const string ArmEndpoint = "RETRAIN_ARM_ENDPOINT";

    /// <summary>How far (relative, 0..1) a candidate's ndcg@10 may fall below the published model's (default 0.02).</summary>
    public const string QualityGateMargin = "QUALITY_GATE_MARGIN";

    /// <summary>Cap on training epochs (default: the trainer's own); small values make test runs fast.</summary>
    public const string MaxEpochs = "RETRAIN_MAX_EPOCHS";

    /// <summary>Local scratch folder for data and bundles during a run (default: the system temp folder).</summary>
    public const string WorkFolder = "RETRAIN_WORK_FOLDER";

    public static IReadOnlyList<string> All { get; } =
        [Schedule, Mode, Cli, JobResourceId, ArmEndpoint, QualityGateMargin, MaxEpochs, WorkFolder];
}
