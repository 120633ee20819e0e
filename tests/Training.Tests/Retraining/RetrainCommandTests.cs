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
        var captured = new CapturedContext();

        var exitCode = Registry(_ => null).Run(["retrain", "--trigger", "cron"], captured.Context);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("'--trigger' expects timer, http or cli, got 'cron'", captured.Error);
    }

    [Fact]
    public void AMalformedRunId_IsAUsageError()
    {
        var captured = new CapturedContext();

        var exitCode = Registry(_ => null).Run(["retrain", "--run-id", "yesterday"], captured.Context);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("'--run-id'", captured.Error);
    }

    [Fact]
    public void NoStorageSettings_FailsNamingTheSetting()
    {
        var captured = new CapturedContext();

        var exitCode = Registry(_ => null).Run(["retrain"], captured.Context);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("STORAGE_CONNECTION_STRING", captured.Error);
    }

    [Fact]
    public void AnInvalidRetrainSetting_FailsNamingIt()
    {
        var captured = new CapturedContext();

        var exitCode = Registry(name => name switch
        {
            "STORAGE_CONNECTION_STRING" => "UseDevelopmentStorage=true",
            RetrainSettingNames.QualityGateMargin => "lots",
            _ => null,
        }).Run(["retrain"], captured.Context);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains(RetrainSettingNames.QualityGateMargin, captured.Error);
    }

    private static CommandRegistry Registry(Func<string, string?> settings) => new("Recommender.Training", [new RetrainCommand(settings)]);
}
