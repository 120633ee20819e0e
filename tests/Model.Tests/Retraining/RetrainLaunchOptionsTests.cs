using Recommender.Model;
using Recommender.Model.Retraining;
using Recommender.Model.Storage;

namespace Recommender.Model.Tests.Retraining;

public class RetrainLaunchOptionsTests
{
    private const string JobId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.App/jobs/retrain";

    [Fact]
    public void TheDefaultMode_IsTheChildProcess_AndNeedsTheCli()
    {
        var error = Assert.Throws<SettingException>(() => RetrainLaunchOptions.FromSettings(_ => null));
        Assert.Equal(RetrainSettingNames.Cli, error.Setting);
        Assert.Contains("Recommender.Training.dll", error.Message);

        var options = RetrainLaunchOptions.FromSettings(name => name == RetrainSettingNames.Cli ? "/opt/training/Recommender.Training.dll" : null);
        Assert.Equal(
            (RetrainMode.Process, "/opt/training/Recommender.Training.dll", null, new Uri("https://management.azure.com/")),
            (options.Mode, options.Cli, options.JobResourceId, options.ArmEndpoint));
    }

    [Fact]
    public void TheJobSettings_AreRead()
    {
        var settings = new Dictionary<string, string>
        {
            [RetrainSettingNames.Mode] = "container-apps-job",
            [RetrainSettingNames.JobResourceId] = JobId,
            [RetrainSettingNames.ArmEndpoint] = "http://127.0.0.1:5000",
        };

        var options = RetrainLaunchOptions.FromSettings(name => settings.GetValueOrDefault(name));

        Assert.Equal((RetrainMode.ContainerAppsJob, JobId, new Uri("http://127.0.0.1:5000/")), (options.Mode, options.JobResourceId, options.ArmEndpoint));
    }

    [Theory]
    [InlineData(RetrainSettingNames.Mode, "in-process")]
    [InlineData(RetrainSettingNames.ArmEndpoint, "management.azure.com")]
    public void AnInvalidValue_NamesItsSetting(string setting, string value)
    {
        var error = Assert.Throws<SettingException>(() =>
            RetrainLaunchOptions.FromSettings(name => name == setting ? value : name == RetrainSettingNames.Cli ? "cli.dll" : null));

        Assert.Equal(setting, error.Setting);
        Assert.Contains(setting, error.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Web/sites/app")]
    public void JobMode_NeedsAJobResourceId(string? jobId)
    {
        var error = Assert.Throws<SettingException>(() => RetrainLaunchOptions.FromSettings(name => name switch
        {
            RetrainSettingNames.Mode => "container-apps-job",
            RetrainSettingNames.JobResourceId => jobId,
            _ => null,
        }));

        Assert.Equal(RetrainSettingNames.JobResourceId, error.Setting);
    }

    [Fact]
    public void TheCliGetsTheRetrainCommandOfTheRun()
    {
        Assert.Equal(
            ["retrain", "--run-id", "20250101-030000-abcdef12", "--trigger", "timer"],
            TrainingCliArguments.Retrain("20250101-030000-abcdef12", RunTrigger.Timer));
    }
}
