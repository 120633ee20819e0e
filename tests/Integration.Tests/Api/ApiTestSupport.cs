using System.Net.Http.Json;
using System.Text.Json;
using Recommender.LocalHost;
using Recommender.Model.Bundle;
using Recommender.Model.Engine;
using Recommender.Model.Storage;
using Recommender.Training.Export;

namespace Recommender.Integration.Tests.Api;

/// <summary>Two small real bundles (exported from synthetic weights), built once for the API tests.</summary>
internal static class ApiBundles
{
    public const int Movies = 300;
    public const int Users = 60;

    private static readonly Lazy<(string V1, string V2)> Folders = new(Build);

    public static string V1 => Folders.Value.V1;
    public static string V2 => Folders.Value.V2;

    /// <summary>The manifest's model version, read without verifying the files (a corrupted bundle has one too).</summary>
    public static string VersionOf(string bundle)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(bundle, BundleFiles.Manifest)));
        return manifest.RootElement.GetProperty("modelVersion").GetString()!;
    }

    /// <summary>A copy of <paramref name="bundle"/> whose movie table no longer matches the manifest's SHA-256.</summary>
    public static string Corrupted(string bundle, string parent)
    {
        var copy = Path.Combine(parent, "corrupted-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.EnumerateFiles(bundle))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }
        var table = Path.Combine(copy, BundleFiles.MovieTable);
        var bytes = File.ReadAllBytes(table);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(table, bytes);
        return copy;
    }

    private static (string, string) Build()
    {
        var root = Path.Combine(Path.GetTempPath(), "recommender-api-tests", Guid.NewGuid().ToString("N"));
        return (Export(root, "v1", seed: 7, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            Export(root, "v2", seed: 21, new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    private static string Export(string root, string name, int seed, DateTimeOffset createdUtc)
    {
        var weights = SyntheticModel.CreateWeights(seed, Movies, Users, dim: 16, hidden: 24, layers: 1, maxHistory: 20);
        var data = SyntheticModel.CreateExportData(seed + 1, weights);
        var folder = Path.Combine(root, name);
        ModelBundleExporter.Export(weights, data, folder, precomputedCount: 20, createdUtc);
        return folder;
    }
}

/// <summary>A local host on a free loopback port over its own models container, with a short refresh interval.</summary>
internal sealed class ServingHost : IAsyncDisposable
{
    private readonly TempDirectory _cache;

    private ServingHost(LocalFunctionHost host, TempDirectory cache, IModelRepository repository, HttpClient client, HttpClient anonymous)
    {
        _cache = cache;
        Host = host;
        Repository = repository;
        Client = client;
        Anonymous = anonymous;
    }

    public LocalFunctionHost Host { get; }
    public IModelRepository Repository { get; }

    /// <summary>Sends the function key.</summary>
    public HttpClient Client { get; }

    /// <summary>Sends no key.</summary>
    public HttpClient Anonymous { get; }

    /// <param name="settings">More settings, over the ones set here.</param>
    public static async Task<ServingHost> StartAsync(AzuriteFixture azurite, double refreshSeconds = 0.2, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var container = $"models-{Guid.NewGuid():N}";
        var cache = new TempDirectory();
        var overrides = new Dictionary<string, string?>
        {
            [StorageSettingNames.ConnectionString] = azurite.ConnectionString,
            [StorageSettingNames.ModelsContainer] = container,
            ["MODEL_REFRESH_SECONDS"] = refreshSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MODEL_CACHE_FOLDER"] = cache.Path,
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            overrides[name] = value;
        }
        var host = await LocalFunctionHost.StartAsync(new LocalHostOptions
        {
            Port = 0,
            EnableTimers = false,
            SettingsFile = null,
            FunctionKey = "test-key",
            Overrides = overrides,
        });
        var repository = new ModelRepository(azurite.CreateServiceClient().GetBlobContainerClient(container), retentionCount: 5);
        var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add(LocalFunctionHost.FunctionKeyHeader, host.FunctionKey);
        return new ServingHost(host, cache, repository, client, new HttpClient { BaseAddress = host.BaseAddress });
    }

    public async Task<LatestModel> PublishAsync(string bundle)
    {
        var latest = await Repository.GetLatestAsync();
        return (await Repository.PublishAsync(bundle, ApiBundles.VersionOf(bundle) + "-" + Guid.NewGuid().ToString("N")[..6], latest)).Latest;
    }

    /// <summary>Polls GET /api/model until it reports <paramref name="modelVersion"/>.</summary>
    public async Task WaitForModelAsync(string modelVersion, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await Client.GetAsync("api/model");
            if (response.IsSuccessStatusCode)
            {
                last = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("modelVersion").GetString();
                if (last == modelVersion)
                {
                    return;
                }
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"The host did not serve model {modelVersion} in time (last seen: {last ?? "none"}).");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        await Host.DisposeAsync();
        _cache.Dispose();
    }
}

/// <summary>What the API returns for a recommendation request, as the engine's types.</summary>
internal sealed record ApiRecommendations(string ModelVersion, string Path, IReadOnlyList<RecommendedMovie> Items);
