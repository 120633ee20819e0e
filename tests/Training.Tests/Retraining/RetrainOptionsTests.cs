using Recommender.Training.Retraining;

namespace Recommender.Training.Tests.Retraining;

public class RetrainOptionsTests
{
    private const string JobId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.App/jobs/retrain";

    [Fact]
    public void NoSettings_GiveTheDefaults()
    {
        var options = RetrainOptions.FromSettings(_ => null);

        Assert.Equal(RetrainMode.InProcess, options.Mode);
        Assert.Equal(0.02, options.QualityGateMargin);
        Assert.Null(options.MaxEpochs);
        Assert.Equal(new Uri("https://management.azure.com/"), options.ArmEndpoint);
        Assert.Equal(options.Training, options.EffectiveTraining());
    }

    [Fact]
    public void EverySetting_IsRead()
    {
        var settings = new Dictionary<string, string>
        {
            [RetrainSettingNames.Mode] = "container-apps-job",
            [RetrainSettingNames.JobResourceId] = JobId,
            [RetrainSettingNames.ArmEndpoint] = "http://127.0.0.1:5000",
            [RetrainSettingNames.QualityGateMargin] = "0.05",
            [RetrainSettingNames.MaxEpochs] = "3",
            [RetrainSettingNames.WorkFolder] = "/tmp/retrain-work",
        };

        var options = RetrainOptions.FromSettings(name => settings.GetValueOrDefault(name));

        Assert.Equal(RetrainMode.ContainerAppsJob, options.Mode);
        Assert.Equal(JobId, options.JobResourceId);
        Assert.Equal(new Uri("http://127.0.0.1:5000/"), options.ArmEndpoint);
        Assert.Equal(0.05, options.QualityGateMargin);
        Assert.Equal("/tmp/retrain-work", options.WorkFolder);
        Assert.Equal(3, options.EffectiveTraining().MaxEpochs);
        Assert.Equal(3, options.EffectiveTraining().GraphWarmupEpochs);
    }

    [Theory]
    [InlineData(RetrainSettingNames.Mode, "gpu")]
    [InlineData(RetrainSettingNames.QualityGateMargin, "2%")]
    [InlineData(RetrainSettingNames.QualityGateMargin, "1.5")]
    [InlineData(RetrainSettingNames.MaxEpochs, "0")]
    [InlineData(RetrainSettingNames.MaxEpochs, "three")]
    [InlineData(RetrainSettingNames.ArmEndpoint, "management.azure.com")]
    public void AnInvalidValue_NamesItsSetting(string setting, string value)
    {
        var error = Assert.Throws<RetrainConfigurationException>(() => RetrainOptions.FromSettings(name => name == setting ? value : null));

        Assert.Equal(setting, error.Setting);
        Assert.Contains(setting, error.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Web/sites/app")]
    public void JobMode_NeedsAJobResourceId(string? jobId)
    {
        var error = Assert.Throws<RetrainConfigurationException>(() => RetrainOptions.FromSettings(name => name switch
        {
            RetrainSettingNames.Mode => "container-apps-job",
            RetrainSettingNames.JobResourceId => jobId,
            _ => null,
        }));

        Assert.Equal(RetrainSettingNames.JobResourceId, error.Setting);
    }

    [Fact]
    public void TheJobGetsTheRetrainCommandOfTheRun()
    {
        Assert.Equal(
            ["retrain", "--run-id", "20250101-030000-abcdef12", "--trigger", "timer"],
            ContainerAppsJobLauncher.JobArguments("20250101-030000-abcdef12", Model.Storage.RunTrigger.Timer));
    }
}
