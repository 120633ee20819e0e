using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Recommender.Model.Bundle;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Recommender.Benchmarks;

/// <summary>
/// http-load: closed-loop clients against a running local host (loopback only), each sending its next request as
/// soon as the previous one is answered; prints requests/s and p50/p99 latency per client count. The bundle (the one
/// the host serves) supplies the user ids and movie ids requests are made of. The live scenario first posts two
/// events for every known user, so that each request takes the live path (stored history plus events); ingest posts
/// <see cref="EventsPerIngestRequest"/> events per request and also prints events/s.
/// </summary>
[Description("Requests/s and p50/p99 latency of the HTTP API on a running local host (loopback only).")]
internal sealed class HttpLoadCommand : AsyncCommand<HttpLoadCommand.Settings>
{
    public const int EventsPerIngestRequest = 20;

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--url <URL>", true)]
        [Description("The local host, http://127.0.0.1:PORT.")]
        public required string Url { get; init; }

        [CommandOption("--key <KEY>", true)]
        [Description("The host's function key.")]
        public required string Key { get; init; }

        [CommandOption("--bundle <DIR>", true)]
        [Description("The bundle the host serves (for the user and movie ids of the requests).")]
        public required string Bundle { get; init; }

        [CommandOption("--scenario <NAME>")]
        [Description("user (GET a known user's recommendations), session (POST a 20-movie history), live (GET for users with events) or ingest (POST 20 events).")]
        [DefaultValue("user")]
        public string Scenario { get; init; } = "user";

        [CommandOption("--clients <LIST>")]
        [Description("Comma-separated client counts, one level each.")]
        [DefaultValue("1,8,64")]
        public string Clients { get; init; } = "1,8,64";

        [CommandOption("--seconds <S>")]
        [Description("Measured seconds per level.")]
        [DefaultValue(10.0)]
        public double Seconds { get; init; } = 10;

        [CommandOption("--warmup <S>")]
        [Description("Warm-up seconds before each level.")]
        [DefaultValue(2.0)]
        public double Warmup { get; init; } = 2;

        public int[] ClientCounts => [.. Clients.Split(',').Select(value => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) ? count : 0)];

        public override ValidationResult Validate()
        {
            if (Scenario is not ("user" or "session" or "live" or "ingest"))
            {
                return ValidationResult.Error($"Option '--scenario' must be user, session, live or ingest, got '{Scenario}'.");
            }
            if (ClientCounts.Any(count => count < 1))
            {
                return ValidationResult.Error($"Option '--clients' must list positive whole numbers, got '{Clients}'.");
            }
            if (Seconds <= 0 || Warmup < 0)
            {
                return ValidationResult.Error($"Options '--seconds' must be positive and '--warmup' not negative, got {Seconds} and {Warmup}.");
            }
            return LoopbackOnly(Url) is null
                ? ValidationResult.Error($"Option '--url' must be http://127.0.0.1:PORT (load is sent to the loopback interface only), got '{Url}'.")
                : ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var baseAddress = LoopbackOnly(settings.Url)!;
        var key = settings.Key;
        var bundle = ModelBundle.Load(settings.Bundle).Content;
        var (scenario, clients, seconds, warmup) = (settings.Scenario, settings.ClientCounts, settings.Seconds, settings.Warmup);

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("x-functions-key", key);
        var random = new Random(17);
        int RandomMovie() => bundle.Movies[random.Next(bundle.Movies.Count)].MovieId;
        HttpRequestMessage PostEvents(int userId, int count) => new(HttpMethod.Post, $"api/users/{userId}/events")
        {
            Content = new StringContent(
                "{\"events\":[" + string.Join(",", Enumerable.Range(0, count).Select(_ => $"{{\"movieId\":{RandomMovie()},\"eventId\":\"{Guid.NewGuid():N}\"}}")) + "]}",
                Encoding.UTF8, "application/json"),
        };
        Func<HttpRequestMessage> next = scenario switch
        {
            "user" or "live" => () => new HttpRequestMessage(HttpMethod.Get, $"api/users/{bundle.UserIds[random.Next(bundle.UserIds.Length)]}/recommendations?count=10"),
            "ingest" => () => PostEvents(bundle.UserIds[random.Next(bundle.UserIds.Length)], EventsPerIngestRequest),
            _ => () =>
            {
                var history = string.Join(",", Enumerable.Range(0, 20).Select(_ => RandomMovie()));
                return new HttpRequestMessage(HttpMethod.Post, "api/recommendations")
                {
                    Content = new StringContent($"{{\"history\":[{history}],\"count\":10}}", Encoding.UTF8, "application/json"),
                };
            },
        };
        var expected = scenario == "ingest" ? HttpStatusCode.Accepted : HttpStatusCode.OK;
        if (scenario == "live")
        {
            foreach (var userId in bundle.UserIds)
            {
                using var post = PostEvents(userId, 2);
                using var response = await http.SendAsync(post, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    Console.Error.WriteLine($"Posting the live scenario's events for user {userId} answered {(int)response.StatusCode}.");
                    return 1;
                }
            }
            Console.WriteLine($"Posted 2 events for each of the {bundle.UserIds.Length} users; every request below takes the live path.");
        }

        Console.WriteLine($"{scenario} recommendations against {baseAddress} ({bundle.Movies.Count} movies, {bundle.UserIds.Length} users), {seconds} s per level after {warmup} s warm-up");
        Console.WriteLine("clients  requests/s   p50 ms   p99 ms   errors" + (scenario == "ingest" ? "   events/s" : ""));
        foreach (var count in clients)
        {
            await RunLevelAsync(http, next, expected, count, TimeSpan.FromSeconds(warmup), record: false);
            var (latencies, errors, elapsed) = await RunLevelAsync(http, next, expected, count, TimeSpan.FromSeconds(seconds), record: true);
            latencies.Sort();
            var requestsPerSecond = latencies.Count / elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{count,7}  {requestsPerSecond,10:F0}  {Percentile(latencies, 0.50),7:F2}  {Percentile(latencies, 0.99),7:F2}  {errors,7}") +
                (scenario == "ingest" ? string.Create(CultureInfo.InvariantCulture, $"  {requestsPerSecond * EventsPerIngestRequest,9:F0}") : ""));
        }
        return 0;
    }

    private static async Task<(List<double> Latencies, int Errors, TimeSpan Elapsed)> RunLevelAsync(
        HttpClient http, Func<HttpRequestMessage> next, HttpStatusCode expected, int clients, TimeSpan duration, bool record)
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
                    if (response.StatusCode != expected)
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

    /// <summary>The loopback address in <paramref name="url"/>; null for any other: load is only ever sent to this machine.</summary>
    internal static Uri? LoopbackOnly(string url) =>
        Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp
            && IPAddress.TryParse(uri.Host, out var address) && IPAddress.IsLoopback(address)
            ? uri
            : null;
}

/// <summary>cold-start: time from starting the local host process to its first answered recommendation.</summary>
[Description("Local host process start to its first answered recommendation.")]
internal sealed class ColdStartCommand : AsyncCommand<ColdStartCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--localhost <DLL>", true)]
        [Description("Path of Recommender.LocalHost.dll.")]
        public required string LocalHost { get; init; }

        [CommandOption("--connection-string <CS>", true)]
        [Description("Storage connection string the host reads its model from.")]
        public required string ConnectionString { get; init; }

        [CommandOption("--models-container <NAME>", true)]
        [Description("Models container holding the published bundle.")]
        public required string ModelsContainer { get; init; }

        [CommandOption("--user-id <ID>", true)]
        [Description("A known user whose recommendations are asked for.")]
        public required string UserId { get; init; }

        [CommandOption("--port <PORT>")]
        [Description("Port the host listens on.")]
        [DefaultValue(7399)]
        public int Port { get; init; } = 7399;

        [CommandOption("--runs <N>")]
        [Description("Starts to measure.")]
        [DefaultValue(3)]
        public int Runs { get; init; } = 3;

        public override ValidationResult Validate() =>
            Port is < 1 or > 65535 || Runs < 1
                ? ValidationResult.Error($"Option '--port' must be a port number and '--runs' at least 1, got {Port} and {Runs}.")
                : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (dll, port, runs, userId) = (settings.LocalHost, settings.Port, settings.Runs, settings.UserId);
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
            start.Environment["STORAGE_CONNECTION_STRING"] = settings.ConnectionString;
            start.Environment["MODELS_CONTAINER"] = settings.ModelsContainer;
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
[Description("Publishes a bundle folder to a models container (Azurite) for the HTTP benchmarks.")]
internal sealed class PublishBundleCommand : AsyncCommand<PublishBundleCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--connection-string <CS>", true)]
        [Description("Storage connection string.")]
        public required string ConnectionString { get; init; }

        [CommandOption("--container <NAME>", true)]
        [Description("Models container to publish to.")]
        public required string Container { get; init; }

        [CommandOption("--bundle <DIR>", true)]
        [Description("Bundle folder to publish.")]
        public required string Bundle { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var bundle = settings.Bundle;
        var container = new Azure.Storage.Blobs.BlobContainerClient(settings.ConnectionString, settings.Container);
        var repository = new Recommender.Model.Storage.ModelRepository(container, retentionCount: 5);
        var version = ModelBundle.Load(bundle).Manifest.ModelVersion;
        var published = await repository.PublishAsync(bundle, version, await repository.GetLatestAsync());
        Console.WriteLine($"Published {version} ({published.FileCount} files, {published.Bytes} bytes) to container {container.Name}.");
        return 0;
    }
}
