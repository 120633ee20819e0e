using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Azure.Core;
using Azure.Storage.Blobs;

namespace Recommender.Integration.Tests;

/// <summary>
/// Runs Azurite's blob service (node_modules/.bin/azurite-blob, installed by `npm ci` at the repository root) on
/// 127.0.0.1 and a free port, with its data in a temporary folder, for the whole test collection. It can be stopped
/// and started again on the same port and data, to test what happens when storage goes away.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>Azurite's fixed development account (public, documented by Azurite).</summary>
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly string _executable;
    private readonly StringBuilder _output = new();
    private Process? _process;

    public AzuriteFixture()
    {
        RepositoryRoot = FindRepositoryRoot();
        _executable = Path.Combine(RepositoryRoot, "node_modules", ".bin", "azurite-blob");
        Location = Path.Combine(Path.GetTempPath(), "recommender-azurite", Guid.NewGuid().ToString("N"));
        Port = FreeLoopbackPort();
    }

    public string RepositoryRoot { get; }
    public string Location { get; }
    public int Port { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{Port}/{AccountName};";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Few, quick retries: a stopped Azurite fails a request within a second instead of the SDK's minute.</summary>
    public static BlobClientOptions FastFailingClientOptions() => new()
    {
        Retry = { MaxRetries = 2, Mode = RetryMode.Fixed, Delay = TimeSpan.FromMilliseconds(100), NetworkTimeout = TimeSpan.FromSeconds(10) },
    };

    /// <summary>A connection string like <see cref="ConnectionString"/> to a loopback port nothing listens on.</summary>
    public static string UnreachableConnectionString() =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{FreeLoopbackPort()}/{AccountName};";

    public BlobServiceClient CreateServiceClient() => new(ConnectionString, FastFailingClientOptions());

    /// <summary>A container client with a name no other test uses (the container itself is not created).</summary>
    public BlobContainerClient UniqueContainer(string purpose) =>
        CreateServiceClient().GetBlobContainerClient($"{purpose}-{Guid.NewGuid():N}");

    public async Task InitializeAsync()
    {
        if (!File.Exists(_executable))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed: '{_executable}' does not exist. Run `npm ci` in the repository root ({RepositoryRoot}).");
        }
        Directory.CreateDirectory(Location);
        await StartAsync();
    }

    public Task DisposeAsync()
    {
        Stop();
        try
        {
            Directory.Delete(Location, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
        return Task.CompletedTask;
    }

    /// <summary>Starts Azurite on <see cref="Port"/> with the data in <see cref="Location"/> and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("Azurite is already running.");
        }
        var start = new ProcessStartInfo(_executable)
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--blobHost", "127.0.0.1", "--blobPort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--location", Location, "--skipApiVersionCheck", "--disableTelemetry", "--silent",
        })
        {
            start.ArgumentList.Add(argument);
        }
        lock (_output)
        {
            _output.Clear();
        }
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            throw new InvalidOperationException($"Azurite could not be started from '{_executable}' (is Node.js on PATH?): {error.Message}", error);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} while starting on port {Port}: {Output()}");
            }
            if (await AcceptsConnectionsAsync())
            {
                return;
            }
            await Task.Delay(100);
        }
        Stop();
        throw new TimeoutException($"Azurite did not accept connections on 127.0.0.1:{Port} within {StartTimeout.TotalSeconds} s: {Output()}");
    }

    /// <summary>
    /// Stops Azurite with SIGTERM, which lets it save its metadata, and waits for it to exit (killing the process
    /// tree if it does not). Synchronous so that a test can call it from inside a progress callback.
    /// </summary>
    public void Stop()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }
        using (process)
        {
            if (!process.HasExited)
            {
                if (!OperatingSystem.IsWindows())
                {
                    using var terminate = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } });
                    terminate?.WaitForExit();
                }
                if (!process.WaitForExit(StopTimeout))
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit();
                }
            }
            process.WaitForExit();
        }
    }

    public async Task RestartAsync()
    {
        Stop();
        await StartAsync();
    }

    private async Task<bool> AcceptsConnectionsAsync()
    {
        using var client = new TcpClient();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            return true;
        }
        catch (Exception error) when (error is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.Length == 0 ? "(no output)" : _output.ToString();
        }
    }

    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Serverless.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"No Serverless.sln above '{AppContext.BaseDirectory}': cannot find the repository root and its node_modules.");
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
