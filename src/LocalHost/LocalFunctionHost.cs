using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Recommender.Model;
using Recommender.Functions;
using Recommender.Model.Retraining;
using Recommender.Model.Serving;
using Recommender.Model.Storage;

namespace Recommender.LocalHost;

/// <summary>
/// Serves the Function App's classes on 127.0.0.1 with Kestrel for development and load tests (production runs on
/// the Functions host). HTTP routes, methods and auth levels are read from the functions' [HttpTrigger] attributes,
/// prefixed with host.json's routePrefix; timers from [TimerTrigger] with %SETTING% schedules resolved from the
/// configuration. Services are registered by the same AddFunctionApp the Function App's Program.cs calls.
/// </summary>
public sealed class LocalFunctionHost : IAsyncDisposable
{
    public const string FunctionKeyHeader = "x-functions-key";
    public const string FunctionKeyQuery = "code";

    private readonly WebApplication _app;
    private readonly TimerRunner _timers;

    private LocalFunctionHost(WebApplication app, TimerRunner timers, string functionKey, string routePrefix,
        IReadOnlyList<HttpFunction> served, IReadOnlyList<string> skipped)
    {
        _app = app;
        _timers = timers;
        FunctionKey = functionKey;
        RoutePrefix = routePrefix;
        HttpFunctions = served;
        Skipped = skipped;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public Uri BaseAddress { get; }

    public string FunctionKey { get; }
    public string RoutePrefix { get; }
    public IReadOnlyList<HttpFunction> HttpFunctions { get; }

    /// <summary>Functions this host cannot run, with the reason.</summary>
    public IReadOnlyList<string> Skipped { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Completes when the timer runs requested at start (--run-timers-at-start, RunOnStartup) have finished.</summary>
    public Task StartupTimerRuns => _timers.StartupRuns;

    /// <summary>The training CLI built beside this host (the default of RETRAIN_CLI here), from the build's metadata.</summary>
    public static string? BuiltTrainingCli { get; } = typeof(LocalFunctionHost).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(attribute => attribute.Key == "TrainingCli")?.Value;

    /// <exception cref="LocalHostConfigurationException">The settings file or a setting is invalid.</exception>
    public static async Task<LocalFunctionHost> StartAsync(LocalHostOptions options, CancellationToken cancellationToken = default)
    {
        var assembly = FunctionCatalog.FunctionAppAssembly;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        var settingsFile = options.SettingsFile ?? (File.Exists("local.settings.json") ? "local.settings.json" : null);
        if (settingsFile is not null)
        {
            builder.Configuration.AddInMemoryCollection(ReadSettingsFile(settingsFile));
        }
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddInMemoryCollection(options.Overrides);
        if (string.IsNullOrWhiteSpace(builder.Configuration[RetrainSettingNames.Cli]) && BuiltTrainingCli is { } cli)
        {
            builder.Configuration[RetrainSettingNames.Cli] = cli;
        }
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        builder.Logging.AddFilter("Azure", LogLevel.Warning);
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));

        builder.Services.AddFunctionApp(builder.Configuration);
        builder.Services.AddMvcCore();
        if (options.TelemetryToConsole)
        {
            builder.Services.AddOpenTelemetry()
                .ConfigureResource(resource => resource.AddService("recommender-local-host"))
                .AddServingTelemetry()
                // Always on: ASP.NET Core's own request activity, which no exporter here records, would otherwise
                // make the parent-based default sampler drop the serving spans under it.
                .WithTracing(tracing => tracing.SetSampler(new AlwaysOnSampler()).AddConsoleExporter())
                .WithMetrics(metrics => metrics.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 10_000));
        }
        var functionKey = options.FunctionKey
            ?? (builder.Configuration[LocalHostOptions.FunctionKeySetting] is { Length: > 0 } configured ? configured : null)
            ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

        var skipped = new List<string>();
        var timers = new List<(TimerFunction Function, TimerSchedule Schedule, FunctionInvoker Invoker)>();
        foreach (var timer in FunctionCatalog.TimerFunctions(assembly))
        {
            try
            {
                var schedule = TimerSchedule.Resolve(timer.Name, timer.Schedule, name => builder.Configuration[name]);
                var invoker = FunctionInvoker.Create(timer.Name, timer.Method, timer.Trigger, arguments => arguments.TimerInfo);
                timers.Add((timer, schedule, invoker));
            }
            catch (Exception error) when (error is LocalHostConfigurationException or NotSupportedException)
            {
                skipped.Add($"timer {timer.Name}: {error.Message}");
            }
        }
        var runner = new TimerRunner(timers, options.RunTimersAtStart && options.EnableTimers, options.EnableTimers);
        builder.Services.AddSingleton(runner);
        builder.Services.AddHostedService(provider => provider.GetRequiredService<TimerRunner>());

        var app = builder.Build();
        runner.Attach(app.Services);
        var routePrefix = HttpRoutePrefix.Read(AppContext.BaseDirectory);
        var served = new List<HttpFunction>();
        foreach (var function in FunctionCatalog.HttpFunctions(assembly))
        {
            FunctionInvoker invoker;
            try
            {
                if (function.Trigger.ParameterType != typeof(HttpRequest))
                {
                    throw new NotSupportedException($"its trigger parameter is {function.Trigger.ParameterType.Name}; the local host binds HttpRequest (ASP.NET Core integration)");
                }
                invoker = FunctionInvoker.Create(function.Name, function.Method, function.Trigger, arguments => arguments.HttpContext!.Request);
            }
            catch (NotSupportedException error)
            {
                skipped.Add($"http {function.Name}: {error.Message}");
                continue;
            }
            served.Add(function);
            var pattern = "/" + HttpRoutePrefix.Combine(routePrefix, function.Route);
            RequestDelegate handler = context => HandleAsync(context, function, invoker, functionKey);
            var endpoint = function.Methods.Count == 0 ? app.Map(pattern, handler) : app.MapMethods(pattern, function.Methods, handler);
            endpoint.WithDisplayName(function.Name);
        }

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException error)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new LocalHostConfigurationException($"Cannot listen on 127.0.0.1:{options.Port}: {error.Message}", error);
        }
        catch (Exception error) when (error is SettingException)
        {
            // The app's options are validated at start: a bad setting stops the host here, naming the setting.
            await app.DisposeAsync().ConfigureAwait(false);
            throw new LocalHostConfigurationException(error.Message, error);
        }
        return new LocalFunctionHost(app, runner, functionKey, routePrefix, served, skipped);
    }

    /// <summary>One line per route and timer, and per function not served.</summary>
    public IEnumerable<string> Describe()
    {
        foreach (var function in HttpFunctions)
        {
            var methods = function.Methods.Count == 0 ? "ANY" : string.Join(",", function.Methods);
            yield return $"  {methods,-6} {BaseAddress}{HttpRoutePrefix.Combine(RoutePrefix, function.Route)}  [{function.Name}, {function.AuthLevel}]";
        }
        foreach (var line in _timers.Describe())
        {
            yield return "  " + line;
        }
        foreach (var line in Skipped)
        {
            yield return "  not served: " + line;
        }
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task HandleAsync(HttpContext context, HttpFunction function, FunctionInvoker invoker, string functionKey)
    {
        if (function.AuthLevel != AuthorizationLevel.Anonymous && !HasKey(context.Request, functionKey))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Function." + function.Name);
        try
        {
            var functionContext = new LocalFunctionContext(function.Name, context.RequestServices, context.RequestAborted);
            var result = await invoker.InvokeAsync(context.RequestServices, new InvocationArguments(context, null, functionContext, context.RequestAborted)).ConfigureAwait(false);
            await FunctionInvoker.WriteResultAsync(context, result).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception error)
        {
            // The Functions host answers an unhandled exception with a bare 500 as well.
            logger.LogError(error, "Function {Function} failed.", function.Name);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }
        }
    }

    private static bool HasKey(HttpRequest request, string functionKey)
    {
        var given = request.Headers[FunctionKeyHeader].FirstOrDefault() ?? request.Query[FunctionKeyQuery].FirstOrDefault();
        return given is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(functionKey));
    }

    /// <summary>local.settings.json's "Values" object (strings, numbers and booleans) as configuration entries.</summary>
    private static Dictionary<string, string?> ReadSettingsFile(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!document.RootElement.TryGetProperty("Values", out var values) || values.ValueKind != JsonValueKind.Object)
            {
                throw new LocalHostConfigurationException($"Settings file '{path}' has no \"Values\" object.");
            }
            return values.EnumerateObject().ToDictionary(
                property => property.Name,
                property => property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                    JsonValueKind.Null => null,
                    _ => throw new LocalHostConfigurationException($"Settings file '{path}': Values.{property.Name} must be a string, number or boolean."),
                });
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new LocalHostConfigurationException($"Settings file '{path}' cannot be read: {error.Message}", error);
        }
    }
}
