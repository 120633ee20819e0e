namespace Recommender.Model.Retraining;

/// <summary>Where the serving app starts a retraining.</summary>
public enum RetrainMode
{
    /// <summary>The training CLI (<see cref="RetrainLaunchOptions.Cli"/>) as a child process of this host: local runs and tests.</summary>
    Process,

    /// <summary>An Azure Container Apps job (the GPU path), started through the ARM REST API.</summary>
    ContainerAppsJob,
}

/// <summary>How the Function App launches retraining, read from the settings named in <see cref="RetrainSettingNames"/>.</summary>
public sealed record RetrainLaunchOptions
{
    public const string ProcessModeName = "process";
    public const string ContainerAppsJobModeName = "container-apps-job";
    public static readonly Uri DefaultArmEndpoint = new("https://management.azure.com/");

    public RetrainMode Mode { get; init; } = RetrainMode.Process;

    /// <summary>The training CLI in <see cref="RetrainMode.Process"/>: a path to Recommender.Training.dll or to an executable.</summary>
    public string? Cli { get; init; }

    /// <summary>/subscriptions/…/resourceGroups/…/providers/Microsoft.App/jobs/NAME; required in <see cref="RetrainMode.ContainerAppsJob"/>.</summary>
    public string? JobResourceId { get; init; }

    public Uri ArmEndpoint { get; init; } = DefaultArmEndpoint;

    /// <summary>Reads the settings through <paramref name="setting"/> (blank counts as unset) and validates them.</summary>
    /// <exception cref="SettingException">A setting is invalid (the message names it).</exception>
    public static RetrainLaunchOptions FromSettings(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        string? Read(string name) => setting(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var options = new RetrainLaunchOptions
        {
            Mode = Read(RetrainSettingNames.Mode) is { } mode ? ParseMode(mode) : RetrainMode.Process,
            Cli = Read(RetrainSettingNames.Cli),
            JobResourceId = Read(RetrainSettingNames.JobResourceId),
            ArmEndpoint = Read(RetrainSettingNames.ArmEndpoint) is { } endpoint ? ParseEndpoint(endpoint) : DefaultArmEndpoint,
        };
        options.Validate();
        return options;
    }

    /// <exception cref="SettingException">A value is invalid (the message names its setting).</exception>
    public void Validate()
    {
        if (Mode == RetrainMode.Process && string.IsNullOrWhiteSpace(Cli))
        {
            throw new SettingException(RetrainSettingNames.Cli,
                $"{RetrainSettingNames.Mode} is '{ProcessModeName}' but {RetrainSettingNames.Cli} is not set: give the path of the training CLI " +
                "(src/Training/bin/Release/net10.0/Recommender.Training.dll after a build), or use " +
                $"{RetrainSettingNames.Mode}={ContainerAppsJobModeName}.");
        }
        if (Mode == RetrainMode.ContainerAppsJob)
        {
            if (string.IsNullOrWhiteSpace(JobResourceId))
            {
                throw new SettingException(RetrainSettingNames.JobResourceId,
                    $"{RetrainSettingNames.Mode} is '{ContainerAppsJobModeName}' but {RetrainSettingNames.JobResourceId} is not set: give the job's resource id " +
                    "(/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.App/jobs/NAME).");
            }
            if (!JobResourceId.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase)
                || !JobResourceId.Contains("/providers/Microsoft.App/jobs/", StringComparison.OrdinalIgnoreCase))
            {
                throw new SettingException(RetrainSettingNames.JobResourceId,
                    $"{RetrainSettingNames.JobResourceId} '{JobResourceId}' is not a Container Apps job resource id " +
                    "(/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.App/jobs/NAME).");
            }
        }
    }

    private static RetrainMode ParseMode(string value) => value.ToLowerInvariant() switch
    {
        ProcessModeName => RetrainMode.Process,
        ContainerAppsJobModeName => RetrainMode.ContainerAppsJob,
        _ => throw new SettingException(RetrainSettingNames.Mode,
            $"{RetrainSettingNames.Mode} '{value}' is not a mode: use '{ProcessModeName}' or '{ContainerAppsJobModeName}'."),
    };

    private static Uri ParseEndpoint(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
            ? (url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/"))
            : throw new SettingException(RetrainSettingNames.ArmEndpoint,
                $"{RetrainSettingNames.ArmEndpoint} '{value}' is not an http(s) URL such as {DefaultArmEndpoint}.");
}
