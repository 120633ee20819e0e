using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Recommender.Model.Bundle;

namespace Recommender.Benchmarks;

/// <summary>
/// http-load: closed-loop clients against a running local host (loopback only), each sending its next request as
/// soon as the previous one is answered; prints requests/s and p50/p99 latency per client count.
/// <code>http-load --url http://127.0.0.1:7071 --key KEY --bundle FOLDER [--scenario user|session] [--clients 1,8,64] [--seconds 10] [--warmup 2]</code>
/// The bundle (the one the host serves) supplies the user ids and movie ids requests are made of.
/// </summary>
internal static class HttpLoadCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = BenchmarkArguments.Parse(args);
        var url = options.Required("url");
        var baseAddress = LoopbackOnly(url);
        var key = options.Required("key");
        var bundle = ModelBundle.Load(options.Required("bundle")).Content;
        var scenario = options.Optional("scenario") ?? "user";
        var clients = (options.Optional("clients") ?? "1,8,64").Split(',').Select(value => int.Parse(value, CultureInfo.InvariantCulture)).ToArray();
        var seconds = double.Parse(options.Optional("seconds") ?? "10", CultureInfo.InvariantCulture);
        var warmup = double.Parse(options.Optional("warmup") ?? "2", CultureInfo.InvariantCulture);
        if (scenario is not ("user" or "session"))
        {
            throw new ArgumentException($"--scenario '{scenario}' must be user or session.");
        }

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("x-functions-key", key);
        var random = new Random(17);
        Func<HttpRequestMessage> next = scenario == "user"
            ? () => new HttpRequestMessage(HttpMethod.Get, $"api/users/{bundle.UserIds[random.Next(bundle.UserIds.Length)]}/recommendations?count=10")
            : () =>
            {
                var history = string.Join(",", Enumerable.Range(0, 20).Select(_ => bundle.Movies[random.Next(bundle.Movies.Count)].MovieId));
                return new HttpRequestMessage(HttpMethod.Post, "api/recommendations")
                {
                    Content = new StringContent($"{{\"history\":[{history}],\"count\":10}}", Encoding.UTF8, "application/json"),
                };
            };

        Console.WriteLine($"{scenario} recommendations against {baseAddress} ({bundle.Movies.Count} movies, {bundle.UserIds.Length} users), {seconds} s per level after {warmup} s warm-up");
        Console.WriteLine("clients  requests/s   p50 ms   p99 ms   errors");
        foreach (var count in clients)
        {
            await RunLevelAsync(http, next, count, TimeSpan.FromSeconds(warmup), record: false);
            var (latencies, errors, elapsed) = await RunLevelAsync(http, next, count, TimeSpan.FromSeconds(seconds), record: true);
            latencies.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{count,7}  {latencies.Count / elapsed.TotalSeconds,10:F0}  {Percentile(latencies, 0.50),7:F2}  {Percentile(latencies, 0.99),7:F2}  {errors,7}"));
        }
        return 0;
    }

    private static async Task<(List<double> Latencies, int Errors, TimeSpan Elapsed)> RunLevelAsync(
        HttpClient http, Func<HttpRequestMessage> next, int clients, TimeSpan duration, bool record)
    {
        var gate = new Lock();
        var latencies = new List<double>();
        var errors = 0;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            var mine = new List<double>();
            var myErrors = 0;
            while (stopwatch.Elapsed < duration)
            {
                HttpRequestMessage request;
                lock (gate)
                {
                    request = next();
                }
                var started = Stopwatch.GetTimestamp();
                using (request)
                using (var response = await http.SendAsync(request).ConfigureAwait(false))
                {
                    await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        myErrors++;
                        continue;
                    }
                }
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            lock (gate)
            {
                latencies.AddRange(mine);
                errors += myErrors;
            }
        }))).ConfigureAwait(false);
        return (record ? latencies : [], errors, stopwatch.Elapsed);
    }

    private static double Percentile(List<double> sorted, double quantile) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(quantile * sorted.Count) - 1)];

    /// <summary>Load is only ever sent to this machine.</summary>
    internal static Uri LoopbackOnly(string url)
    {
        if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp
            || !IPAddress.TryParse(uri.Host, out var address) || !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException($"--url '{url}' must be http://127.0.0.1:PORT (load is sent to the loopback interface only).");
        }
        return uri;
    }
}

/// <summary>cold-start: time from starting the local host process to its first answered recommendation.</summary>
internal static class ColdStartCommand
{
    /// <code>cold-start --localhost PATH/Recommender.LocalHost.dll --connection-string CS --models-container C --user-id ID [--port 7399] [--runs 3]</code>
    public static async Task<int> RunAsync(string[] args)
    {
        var options = BenchmarkArguments.Parse(args);
        var dll = options.Required("localhost");
        var port = int.Parse(options.Optional("port") ?? "7399", CultureInfo.InvariantCulture);
        var runs = int.Parse(options.Optional("runs") ?? "3", CultureInfo.InvariantCulture);
        var userId = options.Required("user-id");
        using var http = new HttpClient { BaseAddress = HttpLoadCommand.LoopbackOnly($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Add("x-functions-key", "cold-start");
        Console.WriteLine("run  first answer ms");
        for (var run = 1; run <= runs; run++)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { dll, "--port", port.ToString(CultureInfo.InvariantCulture), "--function-key", "cold-start", "--no-timers" })
            {
                start.ArgumentList.Add(argument);
            }
            start.Environment["STORAGE_CONNECTION_STRING"] = options.Required("connection-string");
            start.Environment["MODELS_CONTAINER"] = options.Required("models-container");
            var stopwatch = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                while (true)
                {
                    if (process.HasExited)
                    {
                        throw new InvalidOperationException($"The local host exited with code {process.ExitCode} before answering.");
                    }
                    if (stopwatch.Elapsed > TimeSpan.FromMinutes(2))
                    {
                        throw new TimeoutException("No answer within 2 minutes.");
                    }
                    try
                    {
                        using var response = await http.GetAsync($"api/users/{userId}/recommendations");
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            break;
                        }
                    }
                    catch (HttpRequestException)
                    {
                        // Not listening yet.
                    }
                    await Task.Delay(5);
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run,3}  {stopwatch.Elapsed.TotalMilliseconds,15:F0}"));
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        return 0;
    }
}

/// <summary>publish-bundle: publishes a bundle folder to a models container (Azurite) for the HTTP benchmarks.</summary>
internal static class PublishBundleCommand
{
    /// <code>publish-bundle --connection-string CS --container C --bundle FOLDER</code>
    public static async Task<int> RunAsync(string[] args)
    {
        var options = BenchmarkArguments.Parse(args);
        var bundle = options.Required("bundle");
        var container = new Azure.Storage.Blobs.BlobContainerClient(options.Required("connection-string"), options.Required("container"));
        var repository = new Recommender.Model.Storage.ModelRepository(container, retentionCount: 5);
        var version = ModelBundle.Load(bundle).Manifest.ModelVersion;
        var published = await repository.PublishAsync(bundle, version, await repository.GetLatestAsync());
        Console.WriteLine($"Published {version} ({published.FileCount} files, {published.Bytes} bytes) to container {container.Name}.");
        return 0;
    }
}
