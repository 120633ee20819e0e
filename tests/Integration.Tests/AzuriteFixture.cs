using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace Recommender.Integration.Tests;

/// <summary>
/// Runs Azurite's blob and table services (node_modules/.bin/azurite-blob and azurite-table, installed by `npm ci` at the
/// repository root) on 127.0.0.1 and a free port each, with their data in a temporary folder, for the whole test
/// collection. Both can be stopped and started again on the same ports and data, to test what happens when storage goes away.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>Azurite's fixed development account (public, documented by Azurite).</summary>
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly StringBuilder _output = new();
    private readonly List<Process> _processes = [];

    public AzuriteFixture()
    {
        RepositoryRoot = FindRepositoryRoot();
        Location = Path.Combine(Path.GetTempPath(), "recommender-azurite", Guid.NewGuid().ToString("N"));
        Port = FreeLoopbackPort();
        TablePort = FreeLoopbackPort();
    }

    public string RepositoryRoot { get; }
    public string Location { get; }

    /// <summary>The blob service's port.</summary>
    public int Port { get; }

    public int TablePort { get; }

    public string ConnectionString => ConnectionStringFor(Port, TablePort);

    public bool IsRunning => _processes.Count > 0 && _processes.All(process => !process.HasExited);

    /// <summary>Few, quick retries: a stopped Azurite fails a request within a second instead of the SDK's minute.</summary>
    public static BlobClientOptions FastFailingClientOptions() => new()
    {
        Retry = { MaxRetries = 2, Mode = RetryMode.Fixed, Delay = TimeSpan.FromMilliseconds(100), NetworkTimeout = TimeSpan.FromSeconds(10) },
    };

    /// <summary>A connection string like <see cref="ConnectionString"/> to a loopback port nothing listens on.</summary>
    public static string UnreachableConnectionString() => ConnectionStringFor(FreeLoopbackPort(), FreeLoopbackPort());

    /// <summary>Few, quick retries for the table client, as <see cref="FastFailingClientOptions"/> for blobs.</summary>
    public static TableClientOptions FastFailingTableOptions() => new()
    {
        Retry = { MaxRetries = 2, Mode = RetryMode.Fixed, Delay = TimeSpan.FromMilliseconds(100), NetworkTimeout = TimeSpan.FromSeconds(10) },
    };

    public TableServiceClient CreateTableServiceClient() => new(ConnectionString, FastFailingTableOptions());

    private static string ConnectionStringFor(int blobPort, int tablePort) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AccountName};TableEndpoint=http://127.0.0.1:{tablePort}/{AccountName};";

    public BlobServiceClient CreateServiceClient() => new(ConnectionString, FastFailingClientOptions());

    /// <summary>A container client with a name no other test uses (the container itself is not created).</summary>
    public BlobContainerClient UniqueContainer(string purpose) =>
        CreateServiceClient().GetBlobContainerClient($"{purpose}-{Guid.NewGuid():N}");

    public async Task InitializeAsync()
    {
        foreach (var service in new[] { "azurite-blob", "azurite-table" })
        {
            var executable = Executable(service);
            if (!File.Exists(executable))
            {
                throw new InvalidOperationException(
                    $"Azurite is not installed: '{executable}' does not exist. Run `npm ci` in the repository root ({RepositoryRoot}).");
            }
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

    /// <summary>Starts Azurite's blob and table services on their ports with the data in <see cref="Location"/> and waits until both accept connections.</summary>
    public async Task StartAsync()
    {
        if (_processes.Count > 0)
        {
            throw new InvalidOperationException("Azurite is already running.");
        }
        lock (_output)
        {
            _output.Clear();
        }
        var port = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var tablePort = TablePort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        StartService("azurite-blob", ["--blobHost", "127.0.0.1", "--blobPort", port]);
        StartService("azurite-table", ["--tableHost", "127.0.0.1", "--tablePort", tablePort]);

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_processes.FirstOrDefault(process => process.HasExited) is { } exited)
            {
                var code = exited.ExitCode;
                Stop();
                throw new InvalidOperationException($"Azurite exited with code {code} while starting on ports {Port} and {TablePort}: {Output()}");
            }
            if (await AcceptsConnectionsAsync(Port) && await AcceptsConnectionsAsync(TablePort))
            {
                return;
            }
            await Task.Delay(100);
        }
        Stop();
        throw new TimeoutException($"Azurite did not accept connections on 127.0.0.1:{Port} and :{TablePort} within {StartTimeout.TotalSeconds} s: {Output()}");
    }

    private void StartService(string service, string[] endpointArguments)
    {
        var executable = Executable(service);
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in endpointArguments.Concat(["--location", Location, "--skipApiVersionCheck", "--disableTelemetry", "--silent"]))
        {
            start.ArgumentList.Add(argument);
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
            Stop();
            throw new InvalidOperationException($"Azurite could not be started from '{executable}' (is Node.js on PATH?): {error.Message}", error);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }

    /// <summary>
    /// Stops both services with SIGTERM, which lets Azurite save its metadata, and waits for them to exit (killing a
    /// process tree that does not). Synchronous so that a test can call it from inside a progress callback.
    /// </summary>
    public void Stop()
    {
        var processes = _processes.ToList();
        _processes.Clear();
        foreach (var process in processes)
        {
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
    }

    public async Task RestartAsync()
    {
        Stop();
        await StartAsync();
    }

    private string Executable(string service) => Path.Combine(RepositoryRoot, "node_modules", ".bin", service);

    private static async Task<bool> AcceptsConnectionsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
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

    public static int FreeLoopbackPort()
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
