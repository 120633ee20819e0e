using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Recommender.Functions.Retraining;
using Recommender.Model.Retraining;
using Recommender.Model.Storage;

namespace Recommender.Integration.Tests.Retraining;

/// <summary>
/// The process launcher's own failures, with stand-in CLIs: a training process that dies, one that cannot start, and
/// one the host stops. (The real CLI's runs are in <see cref="RetrainFunctionTests"/>.)
/// </summary>
[Collection(AzuriteCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ProcessLauncherTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ATrainingProcessThatDies_FailsItsRecord_WithTheExitCodeAndItsLastLines()
    {
        var cli = Script("dies.sh", "echo \"loading ratings\" >&2\necho \"out of memory in epoch 1\" >&2\nexit 3");
        using var host = new RetrainTestHost(azurite, _temp, new Dictionary<string, string?> { [RetrainSettingNames.Cli] = cli });

        var result = Assert.IsType<ContentHttpResult>(await host.Create<RetrainNow>().RunAsync(new DefaultHttpContext().Request));

        Assert.Equal(StatusCodes.Status202Accepted, result.StatusCode);
        var record = await host.WaitForFinishAsync(RunRecordStore.Deserialize(result.ResponseContent!).RunId, RunTimeout);
        Assert.Equal(RunStatus.Failed, record.Status);
        var error = Assert.Single(record.Errors);
        Assert.Contains("exited with code 3", error);
        Assert.Contains("loading ratings | out of memory in epoch 1", error);
        Assert.NotNull(record.FinishedAt);
        Assert.Null(await host.Models.GetLatestAsync());
    }

    [Fact]
    public async Task ACliThatIsNotThere_Answers502_AndTheRecordNamesThePathAndTheSetting()
    {
        var missing = _temp.Combine("no-such-folder", "Recommender.Training.dll");
        using var host = new RetrainTestHost(azurite, _temp, new Dictionary<string, string?> { [RetrainSettingNames.Cli] = missing });

        var result = Assert.IsType<ContentHttpResult>(await host.Create<RetrainNow>().RunAsync(new DefaultHttpContext().Request));

        Assert.Equal(StatusCodes.Status502BadGateway, result.StatusCode);
        var record = (await host.Runs.GetAsync(RunRecordStore.Deserialize(result.ResponseContent!).RunId))!;
        Assert.Equal(RunStatus.Failed, record.Status);
        var error = Assert.Single(record.Errors);
        Assert.Contains(missing, error);
        Assert.Contains(RetrainSettingNames.Cli, error);
    }

    [Fact]
    public async Task TheHostStopping_StopsTheTrainingProcess_AndFailsTheRecord()
    {
        var pidFile = _temp.Combine("training.pid");
        var cli = Script("hangs.sh", $"echo $$ > '{pidFile}'\nsleep 60");
        using var host = new RetrainTestHost(azurite, _temp, new Dictionary<string, string?> { [RetrainSettingNames.Cli] = cli });
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        await host.Create<Retrain>().RunAsync(new TimerInfo(), stopping.Token);

        var record = Assert.Single(await host.Runs.ListRecentAsync(10));
        Assert.Equal(RunStatus.Failed, record.Status);
        Assert.Contains("stopped because this host is shutting down", Assert.Single(record.Errors));
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(Directory.Exists($"/proc/{pid}"), $"the training process {pid} outlived the host");
    }

    private string Script(string name, string body)
    {
        var path = _temp.Combine(name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
