using Recommender.Model;
using Recommender.Model.Retraining;
using Recommender.Training.Retraining;

namespace Recommender.Training.Tests.Retraining;

public class RetrainOptionsTests
{
    [Fact]
    public void NoSettings_GiveTheDefaults()
    {
        var options = RetrainOptions.FromSettings(_ => null);

        Assert.Equal(0.02, options.QualityGateMargin);
        Assert.Null(options.MaxEpochs);
        Assert.Equal(options.Training, options.EffectiveTraining());
    }

    [Fact]
    public void EverySetting_IsRead()
    {
        var settings = new Dictionary<string, string>
        {
            [RetrainSettingNames.QualityGateMargin] = "0.05",
            [RetrainSettingNames.MaxEpochs] = "3",
            [RetrainSettingNames.WorkFolder] = "/tmp/retrain-work",
        };

        var options = RetrainOptions.FromSettings(name => settings.GetValueOrDefault(name));

        Assert.Equal(0.05, options.QualityGateMargin);
        Assert.Equal("/tmp/retrain-work", options.WorkFolder);
        Assert.Equal(3, options.EffectiveTraining().MaxEpochs);
        Assert.Equal(3, options.EffectiveTraining().GraphWarmupEpochs);
    }

    [Theory]
    [InlineData(RetrainSettingNames.QualityGateMargin, "2%")]
    [InlineData(RetrainSettingNames.QualityGateMargin, "1.5")]
    [InlineData(RetrainSettingNames.MaxEpochs, "0")]
    [InlineData(RetrainSettingNames.MaxEpochs, "three")]
    public void AnInvalidValue_NamesItsSetting(string setting, string value)
    {
        var error = Assert.Throws<SettingException>(() => RetrainOptions.FromSettings(name => name == setting ? value : null));

        Assert.Equal(setting, error.Setting);
        Assert.Contains(setting, error.Message);
    }
}
