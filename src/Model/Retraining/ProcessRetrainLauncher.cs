using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Recommender.Model.Storage;

namespace Recommender.Model.Retraining;

/// <summary>
/// Starts the training CLI (<see cref="RetrainLaunchOptions.Cli"/>) as a child process with
/// <see cref="TrainingCliArguments.Retrain"/>, streams its output (stdout and its log on stderr) into this host's log
/// and watches it: the serving app
/// carries no training code, and a crash in training cannot take the host down. The child gets this process's
/// environment plus <paramref name="childSettings"/> (the storage and retraining settings the host read from its own
/// configuration, such as a settings file). When the child exits without finishing its run record (killed, crashed,
/// bad arguments), the record is failed here with the exit code and its last stderr lines; a publish is announced on
/// <paramref name="publishedSignal"/> so that this host serves the new model at once.
/// </summary>
public sealed partial class ProcessRetrainLauncher(
    IRunRecordStore runs,
    IRetrainLock retrainLock,
    IModelRepository models,
    RetrainLaunchOptions options,
    IReadOnlyDictionary<string, string> childSettings,
    ILogger<ProcessRetrainLauncher> logger,
    ModelPublishedSignal? publishedSignal = null) : IRetrainLauncher
{
    /// <summary>How many of the child's last stderr lines (its log) a failed record quotes.</summary>
    public const int QuotedErrorLines = 10;

    public async Task<RetrainLaunch> LaunchAsync(RunTrigger trigger, CancellationToken runCancellation = default)
    {
        var record = await LaunchRecords.BeginAsync(runs, retrainLock, trigger, logger, runCancellation).ConfigureAwait(false);
        if (record.Status == RunStatus.Skipped)
        {
            return RetrainLaunch.Finished(record);
        }
        var errorLines = new Queue<string>();
        Process process;
        try
        {
            process = Start(record.RunId, trigger, errorLines);
        }
        catch (Exception error) when (error is Win32Exception or InvalidOperationException or FileNotFoundException)
        {
            LogStartFailed(record.RunId, options.Cli!, error);
            return RetrainLaunch.Finished(await LaunchRecords.FailAsync(runs, record,
                $"The training CLI '{options.Cli}' ({RetrainSettingNames.Cli}) could not be started: {error.Message}").ConfigureAwait(false));
        }
        LogStarted(record.RunId, trigger, process.Id, options.Cli!);
        var launched = RunRecordStore.Deserialize(RunRecordStore.Serialize(record));
        return new RetrainLaunch(launched, WatchAsync(process, record, errorLines, runCancellation));
    }

    private Process Start(string runId, RunTrigger trigger, Queue<string> errorLines)
    {
        var cli = Path.GetFullPath(options.Cli!);
        if (!File.Exists(cli))
        {
            throw new FileNotFoundException($"no such file (build src/Training, or set {RetrainSettingNames.Cli} to the training CLI's path)", cli);
        }
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (cli.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            start.FileName = DotnetHost();
            start.ArgumentList.Add(cli);
        }
        else
        {
            start.FileName = cli;
        }
        foreach (var argument in TrainingCliArguments.Retrain(runId, trigger))
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in childSettings)
        {
            start.Environment[name] = value;
        }
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } text)
            {
                LogChildOutput(runId, text);
            }
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not { } text)
            {
                return;
            }
            LogChildOutput(runId, text);
            lock (errorLines)
            {
                errorLines.Enqueue(text);
                if (errorLines.Count > QuotedErrorLines)
                {
                    errorLines.Dequeue();
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task<RunRecord> WatchAsync(Process process, RunRecord launched, Queue<string> errorLines, CancellationToken runCancellation)
    {
        using (process)
        {
            var stopped = false;
            try
            {
                await process.WaitForExitAsync(runCancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                stopped = true;
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
            var exitCode = process.ExitCode;
            var record = await runs.GetAsync(launched.RunId, CancellationToken.None).ConfigureAwait(false) ?? launched;
            if (record.Status is RunStatus.Launched or RunStatus.Running)
            {
                string lastErrors;
                lock (errorLines)
                {
                    lastErrors = errorLines.Count == 0 ? "" : " Its last lines on stderr: " + string.Join(" | ", errorLines);
                }
                record = await LaunchRecords.FailAsync(runs, record, stopped
                    ? "The training process was stopped because this host is shutting down."
                    : $"The training process exited with code {exitCode} without finishing the run record.{lastErrors}").ConfigureAwait(false);
            }
            LogExited(record.RunId, exitCode, record.Status);
            if (record.PublishedVersion is { } version && publishedSignal is not null
                && await models.GetLatestAsync(CancellationToken.None).ConfigureAwait(false) is { } latest && latest.Version == version)
            {
                publishedSignal.Notify(latest);
            }
            return record;
        }
    }

    /// <summary>The dotnet host running this process when there is one (the same runtime for the child), else dotnet on PATH.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? path
            : "dotnet";

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "Retrain run {RunId} ({Trigger}) started as process {ProcessId}: {Cli}")]
    private partial void LogStarted(string runId, RunTrigger trigger, int processId, string cli);

    [LoggerMessage(EventId = 31, Level = LogLevel.Error, Message = "Retrain run {RunId}: the training CLI {Cli} could not be started")]
    private partial void LogStartFailed(string runId, string cli, Exception error);

    [LoggerMessage(EventId = 32, Level = LogLevel.Information, Message = "retrain {RunId} | {Line}")]
    private partial void LogChildOutput(string runId, string line);

    [LoggerMessage(EventId = 34, Level = LogLevel.Information, Message = "Retrain run {RunId}: the training process exited with code {ExitCode}; the run ended {Status}")]
    private partial void LogExited(string runId, int exitCode, RunStatus status);
}
