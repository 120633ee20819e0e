using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Recommender.Training.Tests.Cli;

/// <summary>
/// <c>train --checkpoint-dir</c> as a user meets it: the built CLI, killed (SIGKILL) in the graph warm-up and again in
/// the joint stage, then started again with the same command, ends with the metrics and recommendations of a run that
/// was never stopped.
/// </summary>
public sealed class CheckpointResumeTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "recommender-checkpoint-tests", Guid.NewGuid().ToString("N"));

    [MovieLensFact("ml-100k")]
    public async Task Train_KilledTwiceAndStartedAgain_EndsWithTheMetricsOfAnUninterruptedRun()
    {
        var uninterrupted = Path.Combine(_folder, "uninterrupted");
        var resumed = Path.Combine(_folder, "resumed");
        var checkpoints = Path.Combine(_folder, "checkpoints");
        Assert.Equal(0, (await StartTrain(uninterrupted, checkpointDir: null).WaitAsync()).ExitCode);

        // gcn-lstm with --max-epochs 3: graph warm-up epochs 1-3, joint epochs 4-6.
        await KillAfterCheckpoint(StartTrain(resumed, checkpoints), Path.Combine(checkpoints, "gcn-lstm", "epoch-0002"));
        await KillAfterCheckpoint(StartTrain(resumed, checkpoints), Path.Combine(checkpoints, "gcn-lstm", "epoch-0005"));
        var last = await StartTrain(resumed, checkpoints).WaitAsync();

        Assert.True(last.ExitCode == 0, last.Output);
        Assert.Contains("gcn-lstm: resuming after epoch 5", last.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("epoch 5 (", last.Output, StringComparison.Ordinal);
        Assert.Contains("epoch 6 (Full)", last.Output, StringComparison.Ordinal);
        var expected = Metrics(uninterrupted);
        var actual = Metrics(resumed);
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (name, value) in expected)
        {
            // Bit-identical: every epoch seeds its generators from the seed and the epoch, and the checkpoint holds
            // the exact weights and optimizer state. Only the wall-clock figures differ.
            if (name != "train_seconds")
            {
                Assert.True(value == actual[name], $"{name}: uninterrupted {value:R}, resumed {actual[name]:R}");
            }
        }
        Assert.Equal(
            await File.ReadAllTextAsync(Path.Combine(uninterrupted, "recommendations.csv")),
            await File.ReadAllTextAsync(Path.Combine(resumed, "recommendations.csv")));
    }

    private static Dictionary<string, double> Metrics(string folder)
    {
        var models = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json")))!["models"]!["gcn-lstm"]!.AsObject();
        return models.ToDictionary(pair => pair.Key, pair => pair.Value!.GetValue<double>());
    }

    private static async Task KillAfterCheckpoint(CliProcess process, string checkpointFolder)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!Directory.Exists(checkpointFolder))
        {
            Assert.False(process.Process.HasExited, $"train ended before writing {checkpointFolder}:\n{process.Output}");
            Assert.True(DateTime.UtcNow < deadline, $"no {checkpointFolder} after 3 minutes:\n{process.Output}");
            await Task.Delay(50);
        }
        process.Process.Kill(entireProcessTree: true);
        await process.WaitAsync();
    }

    private static CliProcess StartTrain(string outFolder, string? checkpointDir)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                BuiltTrainingCli.Path, "train", "--data", MovieLensData.Release("ml-100k"), "--protocol", "leave-one-out",
                "--models", "gcn-lstm", "--seed", "5", "--max-epochs", "3", "--out", outFolder,
            },
        };
        if (checkpointDir is not null)
        {
            start.ArgumentList.Add("--checkpoint-dir");
            start.ArgumentList.Add(checkpointDir);
        }
        return new CliProcess(Process.Start(start)!);
    }

    private sealed class CliProcess
    {
        private readonly Task<string> _stdout;
        private readonly Task<string> _stderr;

        public CliProcess(Process process)
        {
            Process = process;
            _stdout = process.StandardOutput.ReadToEndAsync();
            _stderr = process.StandardError.ReadToEndAsync();
        }

        public Process Process { get; }

        public int ExitCode => Process.ExitCode;

        public string Output => _stdout.IsCompleted ? _stdout.Result + _stderr.Result : "(still running)";

        public async Task<CliProcess> WaitAsync()
        {
            await Process.WaitForExitAsync();
            await Task.WhenAll(_stdout, _stderr);
            return this;
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
