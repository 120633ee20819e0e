using Recommender.Model.Serving;
using Recommender.Model.Storage;
using Recommender.Model.Retraining;

namespace Recommender.Infrastructure.Tests;

/// <summary>
/// How the settings the code reads map onto Azure: the documented differences between local.settings.sample.json
/// (Azurite, local host) and what the Bicep sets on the Function App and on the training job.
/// </summary>
internal static class AzureSettingNames
{
    /// <summary>The names classes: every setting the code itself reads.</summary>
    public static IReadOnlySet<string> ReadByCode { get; } =
        StorageSettingNames.All.Concat(RetrainSettingNames.All).Concat(ServingSettingNames.All).ToHashSet(StringComparer.Ordinal);

    /// <summary>Host and SDK settings the sample lists besides the code's own.</summary>
    public static IReadOnlySet<string> HostAndSdk { get; } =
        new HashSet<string>(StringComparer.Ordinal) { "AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME", "AZURE_CLIENT_ID" };

    /// <summary>Sample settings that Azure does without, and what takes their place there.</summary>
    public static IReadOnlyDictionary<string, string> LocalOnly { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [StorageSettingNames.ConnectionString] = "STORAGE_ACCOUNT_URL with the managed identity (the account has shared keys off)",
        ["AzureWebJobsStorage"] = "AzureWebJobsStorage__accountName, __credential=managedidentity, __clientId",
        ["FUNCTIONS_WORKER_RUNTIME"] = "functionAppConfig.runtime: Flex Consumption rejects it as an app setting",
        [RetrainSettingNames.Cli] = "RETRAIN_MODE=container-apps-job: the app starts the training job instead of a child process",
    };

    /// <summary>App settings only Azure has: identity-based host storage and Application Insights.</summary>
    public static IReadOnlySet<string> AzureOnlyAppSettings { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "AzureWebJobsStorage__accountName",
        "AzureWebJobsStorage__credential",
        "AzureWebJobsStorage__clientId",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    };

    /// <summary>Settings the training job (the `retrain` command) reads and the Function App, which carries no training code, does not.</summary>
    public static IReadOnlyDictionary<string, string> JobOnly { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [RetrainSettingNames.QualityGateMargin] = "the quality gate runs in the job",
        [RetrainSettingNames.MaxEpochs] = "training runs in the job",
        [RetrainSettingNames.WorkFolder] = "training runs in the job",
    };

    /// <summary>Settings the Function App needs and the training job (the `retrain` command) does not.</summary>
    public static IReadOnlyDictionary<string, string> AppOnly { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [RetrainSettingNames.Schedule] = "the Retrain timer runs in the app",
        [RetrainSettingNames.Mode] = "only the app launches runs; the job is the run",
        [RetrainSettingNames.JobResourceId] = "only the app starts the job",
        [RetrainSettingNames.ArmEndpoint] = "only the app starts the job",
        [ServingSettingNames.ModelRefreshSeconds] = "serving runs in the app",
        [ServingSettingNames.ModelCacheFolder] = "serving runs in the app",
    };
}
