using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Functions.Retraining;
using Recommender.Model.Storage;
using Recommender.Training.Cli;
using Recommender.Model.Retraining;
using Spectre.Console;

namespace Recommender.Integration.Tests.Retraining;

/// <summary>
/// container-apps-job mode against a fake ARM endpoint on 127.0.0.1: the request shape, the "launched" run record,
/// and the job's side (the CLI's retrain command) carrying that record on.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ContainerAppsJobTests(AzuriteFixture azurite) : IDisposable
{
    private const string JobResourceId = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-test/providers/Microsoft.App/jobs/retrain-job";
    private const string FakeToken = "fake-arm-token";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task RetrainNow_StartsTheJobWithTheRetrainArguments_AndTheJobCarriesTheLaunchedRecordOn()
    {
        using var arm = new FakeArm();
        using var host = CreateHost(arm);
        await host.UploadGeneratedAsync();

        var result = Assert.IsType<ContentHttpResult>(await host.Create<RetrainNow>().RunAsync(new DefaultHttpContext().Request));

        Assert.Equal(StatusCodes.Status202Accepted, result.StatusCode);
        var launched = RunRecordStore.Deserialize(result.ResponseContent!);
        Assert.Equal(RunStatus.Launched, launched.Status);
        Assert.Equal("retrain-job-exec-1", launched.JobExecution);
        Assert.Equal(RunStatus.Launched, (await host.Runs.GetAsync(launched.RunId))!.Status);

        Assert.Equal(2, arm.Requests.Count);
        var (getMethod, getPath, getAuthorization, _) = arm.Requests[0];
        Assert.Equal("GET", getMethod);
        Assert.Equal(JobResourceId + "?api-version=2024-03-01", getPath);
        Assert.Equal("Bearer " + FakeToken, getAuthorization);
        var (postMethod, postPath, postAuthorization, body) = arm.Requests[1];
        Assert.Equal("POST", postMethod);
        Assert.Equal(JobResourceId + "/start?api-version=2024-03-01", postPath);
        Assert.Equal("Bearer " + FakeToken, postAuthorization);
        var container = Assert.Single(JsonNode.Parse(body)!["containers"]!.AsArray())!;
        Assert.Equal("trainer", container["name"]!.GetValue<string>());
        Assert.Equal("example.azurecr.io/recommender-training:1", container["image"]!.GetValue<string>());
        Assert.Equal("DATA_CONTAINER", container["env"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(["retrain", "--run-id", launched.RunId, "--trigger", "http"], container["args"]!.AsArray().Select(arg => arg!.GetValue<string>()));

        // What the job's container then runs: the training CLI, with the same settings.
        var error = new StringWriter();
        var services = new Recommender.Training.Cli.TrainingCli.Services(new MovieLensDatasetLoader(), EvaluationModels.All, name => host.Settings.GetValueOrDefault(name));
        var exitCode = Recommender.Training.Cli.TrainingCli.Run(
            TrainingCliArguments.Retrain(launched.RunId, RunTrigger.Http), new CliConsoles(Console(new StringWriter()), Console(error)), services);

        Assert.True(exitCode == 0, error.ToString());
        var finished = (await host.Runs.GetAsync(launched.RunId))!;
        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.Equal(RunTrigger.Http, finished.Trigger);
        Assert.Equal("retrain-job-exec-1", finished.JobExecution);
        Assert.Equal(finished.PublishedVersion, (await host.Models.GetLatestAsync())!.Version);
        Assert.Single(await host.Runs.ListRecentAsync(10));
    }

    [Fact]
    public async Task ArmRefusingTheStart_Answers502_AndRecordsTheFailure()
    {
        using var arm = new FakeArm(startStatus: HttpStatusCode.Forbidden);
        using var host = CreateHost(arm);

        var result = Assert.IsType<ContentHttpResult>(await host.Create<RetrainNow>().RunAsync(new DefaultHttpContext().Request));

        Assert.Equal(StatusCodes.Status502BadGateway, result.StatusCode);
        var record = (await host.Runs.GetAsync(RunRecordStore.Deserialize(result.ResponseContent!).RunId))!;
        Assert.Equal(RunStatus.Failed, record.Status);
        var error = Assert.Single(record.Errors);
        Assert.Contains("403", error);
        Assert.Contains("AuthorizationFailed", error);
        Assert.Contains(JobResourceId, error);
    }

    private RetrainTestHost CreateHost(FakeArm arm) => new(azurite, _temp,
        new Dictionary<string, string?>
        {
            [RetrainSettingNames.Mode] = RetrainLaunchOptions.ContainerAppsJobModeName,
            [RetrainSettingNames.JobResourceId] = JobResourceId,
            [RetrainSettingNames.ArmEndpoint] = arm.Endpoint,
        },
        services => services.AddSingleton<TokenCredential>(new FakeCredential()));

    private static IAnsiConsole Console(TextWriter writer) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
        Out = new AnsiConsoleOutput(writer),
    });

    private sealed class FakeCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Assert.Equal([ContainerAppsJobLauncher.ArmScope], requestContext.Scopes);
            return new AccessToken(FakeToken, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    /// <summary>Answers the job GET with a one-container template and the start POST with an execution (or an error).</summary>
    private sealed class FakeArm : IDisposable
    {
        private readonly HttpListener _listener;
        private readonly HttpStatusCode _startStatus;
        private readonly Task _serving;

        public FakeArm(HttpStatusCode startStatus = HttpStatusCode.OK)
        {
            _startStatus = startStatus;
            for (var attempt = 0; ; attempt++)
            {
                var port = Random.Shared.Next(20000, 60000);
                Endpoint = $"http://127.0.0.1:{port}/";
                // A listener whose Start failed is closed: each attempt needs a new one.
                var listener = new HttpListener();
                listener.Prefixes.Add(Endpoint);
                try
                {
                    listener.Start();
                    _listener = listener;
                    break;
                }
                catch (HttpListenerException) when (attempt < 10)
                {
                    // Port taken: try another.
                }
            }
            _serving = Task.Run(ServeAsync);
        }

        public string Endpoint { get; private set; } = "";

        public List<(string Method, string PathAndQuery, string? Authorization, string Body)> Requests { get; } = [];

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception error) when (error is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync();
                lock (Requests)
                {
                    Requests.Add((context.Request.HttpMethod, context.Request.Url!.PathAndQuery, context.Request.Headers["Authorization"], body));
                }
                var (status, answer) = context.Request.HttpMethod == "GET"
                    ? (HttpStatusCode.OK, """
                        {"id":"JOB","name":"retrain-job","properties":{"template":{"containers":[{"name":"trainer","image":"example.azurecr.io/recommender-training:1",
                        "command":["dotnet","Recommender.Training.dll"],"args":["retrain"],"env":[{"name":"DATA_CONTAINER","value":"data"}],
                        "resources":{"cpu":4,"memory":"16Gi"}}]}}}
                        """.Replace("JOB", context.Request.Url.AbsolutePath, StringComparison.Ordinal))
                    : _startStatus == HttpStatusCode.OK
                        ? (HttpStatusCode.OK, """{"id":"/executions/retrain-job-exec-1","name":"retrain-job-exec-1"}""")
                        : (_startStatus, """{"error":{"code":"AuthorizationFailed","message":"The client does not have authorization to perform action 'Microsoft.App/jobs/start/action'."}}""");
                context.Response.StatusCode = (int)status;
                context.Response.ContentType = "application/json";
                var bytes = Encoding.UTF8.GetBytes(answer);
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
