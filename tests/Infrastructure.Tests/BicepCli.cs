using System.Diagnostics;

namespace Recommender.Infrastructure.Tests;

/// <summary>One run of the Bicep CLI from tools/bicep (built by tools/bicep/Recommender.Tools.Bicep.csproj).</summary>
internal sealed record BicepRun(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    public string Diagnostics => (StandardOutput + StandardError).Trim();

    public override string ToString() => $"`bicep {Command}` exited {ExitCode}:\n{Diagnostics}";
}

internal static class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs bicep with the arguments in <paramref name="workingDirectory"/>; --no-restore keeps it offline.</summary>
    public static async Task<BicepRun> RunAsync(string workingDirectory, params string[] arguments)
    {
        if (!File.Exists(RepositoryPaths.BicepCli))
        {
            throw new InvalidOperationException(
                $"{RepositoryPaths.BicepCli} is missing: `dotnet build tools/bicep` copies it from the Azure.Bicep.CommandLine.linux-x64 package.");
        }
        var startInfo = new ProcessStartInfo(RepositoryPaths.BicepCli)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"{RepositoryPaths.BicepCli} did not start.");
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} ran longer than {Timeout}.");
        }
        return new BicepRun(string.Join(' ', arguments), process.ExitCode, await standardOutput, await standardError);
    }
}
