using Recommender.Training.Cli;
using Recommender.Model.Retraining;
using Recommender.Training.Retraining;
using Recommender.Training.Tests.Cli;

namespace Recommender.Training.Tests.Retraining;

/// <summary>The retrain command's argument and settings checks (runs against storage are in the integration tests).</summary>
public class RetrainCommandTests
{
    [Fact]
    public void AnUnknownTrigger_IsAUsageError()
    {
        var (exitCode, captured) = Run(_ => null, "retrain", "--trigger", "cron");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("'--trigger' expects timer, http or cli, got 'cron'", captured.Error);
    }

    [Fact]
    public void AMalformedRunId_IsAUsageError()
    {
        var (exitCode, captured) = Run(_ => null, "retrain", "--run-id", "yesterday");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("'--run-id'", captured.Error);
    }

    [Fact]
    public void NoStorageSettings_FailsNamingTheSetting()
    {
        var (exitCode, captured) = Run(_ => null, "retrain");

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("STORAGE_CONNECTION_STRING", captured.Error);
    }

    [Fact]
    public void AnInvalidRetrainSetting_FailsNamingIt()
    {
        var (exitCode, captured) = Run(
            name => name switch
            {
                "STORAGE_CONNECTION_STRING" => "UseDevelopmentStorage=true",
                RetrainSettingNames.QualityGateMargin => "lots",
                _ => null,
            },
            "retrain");

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains(RetrainSettingNames.QualityGateMargin, captured.Error);
    }

    private static (int ExitCode, CliRun Captured) Run(Func<string, string?> appSettings, params string[] args)
    {
        var run = CliRun.With(new TrainingCli.Services(new MovieLensDatasetLoader(), EvaluationModels.All, appSettings), args);
        return (run.ExitCode, run);
    }
}
