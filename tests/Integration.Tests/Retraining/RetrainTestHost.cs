using System.Globalization;
using System.IO.Compression;
using System.Text;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Recommender.Functions;
using Recommender.Model.Events;
using Recommender.Model.Storage;
using Recommender.Model.Retraining;
using Recommender.Training.Retraining;

namespace Recommender.Integration.Tests.Retraining;

/// <summary>
/// The Function App's retraining services as Program.cs registers them (AddRecommenderStorage, AddRetraining: the
/// training CLI built in src/Training as a child process), on Azurite with containers of their own, fast-failing
/// storage clients and a small epoch cap; the function classes are built from it directly (the Functions host cannot
/// run here). <see cref="RetrainPipeline"/> is registered too, for the tests that drive the CLI's side in this process.
/// </summary>
internal sealed class RetrainTestHost : IDisposable
{
    public const int MaxEpochs = 2;

    private readonly ServiceProvider _provider;

    public RetrainTestHost(
        AzuriteFixture azurite,
        TempDirectory temp,
        IReadOnlyDictionary<string, string?>? overrides = null,
        Action<IServiceCollection>? configure = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        Settings = new Dictionary<string, string?>
        {
            [StorageSettingNames.ConnectionString] = azurite.ConnectionString,
            [StorageSettingNames.DataContainer] = "data-" + suffix,
            [StorageSettingNames.DataPrefix] = "movielens/",
            [StorageSettingNames.ModelsContainer] = "models-" + suffix,
            [StorageSettingNames.RunsContainer] = "runs-" + suffix,
            [StorageSettingNames.ModelRetentionCount] = "5",
            [StorageSettingNames.EventsTable] = "events" + suffix,
            [RetrainSettingNames.Schedule] = "0 0 3 * * *",
            [RetrainSettingNames.Cli] = Recommender.Testing.BuiltTrainingCli.Path,
            [RetrainSettingNames.MaxEpochs] = MaxEpochs.ToString(CultureInfo.InvariantCulture),
            [RetrainSettingNames.WorkFolder] = temp.Combine("work"),
            [RetrainSettingNames.QualityGateMargin] = "0.02",
        };
        foreach (var (name, value) in overrides ?? new Dictionary<string, string?>())
        {
            Settings[name] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<IHostApplicationLifetime, RunningLifetime>();
        services.AddRecommenderStorage(configuration);
        services.AddRetraining(configuration);
        // Last registration wins: the same storage with quick retries, so a stopped Azurite fails fast; a 15 s lease.
        services.AddSingleton(provider => RecommenderStorage.Create(provider.GetRequiredService<StorageOptions>(), AzuriteFixture.FastFailingClientOptions()));
        services.AddSingleton(_ => RetrainOptions.FromSettings(name => configuration[name]) with { LeaseDuration = TimeSpan.FromSeconds(15) });
        services.AddSingleton(_ => new UserEventStore(azurite.CreateTableServiceClient(), EventStoreOptions.FromSettings(name => configuration[name])));
        services.AddSingleton(provider => RetrainStorage.From(provider.GetRequiredService<RecommenderStorage>(), provider.GetRequiredService<UserEventStore>()));
        services.AddSingleton<RetrainPipeline>();
        configure?.Invoke(services);
        _provider = services.BuildServiceProvider();
        Storage = _provider.GetRequiredService<RecommenderStorage>();
    }

    public Dictionary<string, string?> Settings { get; }
    public IServiceProvider Services => _provider;
    public RecommenderStorage Storage { get; }
    public IModelRepository Models => Storage.Models;
    public IRunRecordStore Runs => Storage.Runs;
    public UserEventStore Events => _provider.GetRequiredService<UserEventStore>();

    public T Create<T>() => ActivatorUtilities.CreateInstance<T>(_provider);

    public BlobContainerClient DataContainer => Storage.Service.GetBlobContainerClient(Storage.Options.DataContainer);

    public async Task UploadAsync(string name, byte[] content)
    {
        await DataContainer.CreateIfNotExistsAsync();
        await DataContainer.GetBlobClient(Storage.Options.DataPrefix + name).UploadAsync(BinaryData.FromBytes(content), overwrite: true);
    }

    /// <summary>ml-latest-small as one release .zip when the shared copy is there, else <see cref="ClusteredRatings"/> as loose files.</summary>
    public async Task<string> UploadSharedOrGeneratedAsync()
    {
        if (SharedData.MlLatestSmall is { } folder)
        {
            using var zip = new MemoryStream();
            using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach (var file in Directory.EnumerateFiles(folder, "*.csv"))
                {
                    archive.CreateEntryFromFile(file, "ml-latest-small/" + Path.GetFileName(file));
                }
            }
            await UploadAsync("ml-latest-small.zip", zip.ToArray());
            return "ml-latest-small (zipped)";
        }
        await UploadGeneratedAsync();
        return "generated clustered ratings";
    }

    public async Task UploadGeneratedAsync()
    {
        await UploadAsync("ratings.csv", Encoding.UTF8.GetBytes(ClusteredRatings.RatingsCsv()));
        await UploadAsync("movies.csv", Encoding.UTF8.GetBytes(ClusteredRatings.MoviesCsv()));
    }

    /// <summary>Waits for the run's record to finish (a run started by RetrainNow goes on in the background).</summary>
    public async Task<RunRecord> WaitForFinishAsync(string runId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var record = await Runs.GetAsync(runId);
            if (record is { Status: not (RunStatus.Launched or RunStatus.Running) })
            {
                return record;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Run {runId} is still {record?.Status.ToString() ?? "unrecorded"} after {timeout.TotalSeconds} s.");
            }
            await Task.Delay(250);
        }
    }

    public void Dispose() => _provider.Dispose();

    private sealed class RunningLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}

/// <summary>Where the shared MovieLens copies are (../shared/data/movielens beside the repository), when they are.</summary>
internal static class SharedData
{
    public static string? MlLatestSmall { get; } = Find("ml-latest-small");

    private static string? Find(string release)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "shared", "data", "movielens", release);
            if (File.Exists(Path.Combine(candidate, "ratings.csv")))
            {
                return candidate;
            }
        }
        return null;
    }
}

/// <summary>
/// A small data set with structure a model can learn and popularity cannot: 6 taste groups of users, each rating
/// mostly the 40 movies of its own group, over two years (every user throughout, so a temporal cut leaves each one
/// history before it and movies after it). Seeded: the same bytes every time.
/// </summary>
internal static class ClusteredRatings
{
    public const int Groups = 6;
    public const int MoviesPerGroup = 40;
    public const int UsersPerGroup = 30;
    public const int RatingsPerUser = 30;

    public static string MoviesCsv()
    {
        var text = new StringBuilder("movieId,title,genres\n");
        for (var movie = 1; movie <= Groups * MoviesPerGroup; movie++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{movie},Movie {movie} ({1990 + movie % 30}),Genre{(movie - 1) / MoviesPerGroup}\n");
        }
        return text.ToString();
    }

    public static string RatingsCsv()
    {
        var random = new Random(7);
        var start = new DateTimeOffset(2016, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        const long span = 2L * 365 * 24 * 3600;
        var text = new StringBuilder("userId,movieId,rating,timestamp\n");
        for (var user = 1; user <= Groups * UsersPerGroup; user++)
        {
            var group = (user - 1) % Groups;
            var movies = new HashSet<int>();
            while (movies.Count < RatingsPerUser)
            {
                var ownGroup = random.NextDouble() < 0.9 ? group : random.Next(Groups);
                movies.Add(ownGroup * MoviesPerGroup + random.Next(MoviesPerGroup) + 1);
            }
            var times = movies.Select(_ => start + (long)(random.NextDouble() * span)).Order().ToList();
            var index = 0;
            foreach (var movie in movies)
            {
                text.Append(CultureInfo.InvariantCulture, $"{user},{movie},{random.Next(6, 11) / 2.0},{times[index++]}\n");
            }
        }
        return text.ToString();
    }
}
