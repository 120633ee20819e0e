using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Microsoft.Extensions.Logging;
using Recommender.Model.Storage;

namespace Recommender.Model.Retraining;

/// <summary>
/// Starts the Container Apps job (the GPU path) through the ARM REST API: reads the job's container template, then
/// POSTs <c>{job}/start</c> with that container and <see cref="TrainingCliArguments.Retrain"/>, so the job runs the
/// training CLI's retrain command and carries on the "launched" run record written here.
/// </summary>
public sealed partial class ContainerAppsJobLauncher(
    IRunRecordStore runs, IRetrainLock retrainLock, RetrainLaunchOptions options, HttpClient http, TokenCredential credential, ILogger<ContainerAppsJobLauncher> logger)
    : IRetrainLauncher
{
    public const string ApiVersion = "2024-03-01";
    public const string ArmScope = "https://management.azure.com/.default";

    private const int MaxErrorBodyChars = 1000;

    public async Task<RetrainLaunch> LaunchAsync(RunTrigger trigger, CancellationToken runCancellation = default)
    {
        var record = await LaunchRecords.BeginAsync(runs, retrainLock, trigger, logger, runCancellation).ConfigureAwait(false);
        if (record.Status == RunStatus.Skipped)
        {
            return RetrainLaunch.Finished(record);
        }
        try
        {
            record.JobExecution = await StartJobAsync(record.RunId, trigger, runCancellation).ConfigureAwait(false);
            LogLaunched(record.RunId, trigger, options.JobResourceId!, record.JobExecution);
        }
        catch (Exception error) when (error is HttpRequestException or ContainerAppsJobException or Azure.Identity.AuthenticationFailedException or TaskCanceledException)
        {
            LogLaunchFailed(record.RunId, options.JobResourceId!, error);
            return RetrainLaunch.Finished(await LaunchRecords.FailAsync(runs, record,
                $"The Container Apps job '{options.JobResourceId}' could not be started: {error.Message}").ConfigureAwait(false));
        }
        await runs.SaveAsync(record, CancellationToken.None).ConfigureAwait(false);
        return RetrainLaunch.Finished(record);
    }

    /// <summary>Returns the execution's name (or the operation URL ARM answered with).</summary>
    private async Task<string> StartJobAsync(string runId, RunTrigger trigger, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.JobResourceId))
        {
            throw new ContainerAppsJobException($"{RetrainSettingNames.JobResourceId} is not set.");
        }
        var token = await credential.GetTokenAsync(new TokenRequestContext([ArmScope]), cancellationToken).ConfigureAwait(false);
        var jobUrl = new Uri(options.ArmEndpoint, options.JobResourceId.TrimStart('/') + "?api-version=" + ApiVersion);
        var startUrl = new Uri(options.ArmEndpoint, options.JobResourceId.TrimStart('/') + "/start?api-version=" + ApiVersion);

        using var getRequest = new HttpRequestMessage(HttpMethod.Get, jobUrl);
        getRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        using var getResponse = await http.SendAsync(getRequest, cancellationToken).ConfigureAwait(false);
        var job = await ReadJsonAsync(getResponse, "reading the job", cancellationToken).ConfigureAwait(false);
        var container = job["properties"]?["template"]?["containers"]?.AsArray().FirstOrDefault()?.DeepClone().AsObject()
            ?? throw new ContainerAppsJobException($"The job '{options.JobResourceId}' has no container in properties.template.containers.");

        container["args"] = new JsonArray([.. TrainingCliArguments.Retrain(runId, trigger).Select(argument => (JsonNode)JsonValue.Create(argument)!)]);
        container.Remove("probes");
        container.Remove("volumeMounts");
        var body = new JsonObject { ["containers"] = new JsonArray(container) };

        using var startRequest = new HttpRequestMessage(HttpMethod.Post, startUrl)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        startRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        using var startResponse = await http.SendAsync(startRequest, cancellationToken).ConfigureAwait(false);
        var execution = await ReadJsonAsync(startResponse, "starting the job", cancellationToken).ConfigureAwait(false);
        return execution["name"]?.GetValue<string>()
            ?? startResponse.Headers.Location?.ToString()
            ?? throw new ContainerAppsJobException($"ARM accepted the start of '{options.JobResourceId}' but named no execution (no \"name\", no Location header).");
    }

    private static async Task<JsonObject> ReadJsonAsync(HttpResponseMessage response, string action, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var shown = text.Length > MaxErrorBodyChars ? text[..MaxErrorBodyChars] + "…" : text;
            throw new ContainerAppsJobException($"ARM answered {(int)response.StatusCode} {response.ReasonPhrase} {action}: {shown}");
        }
        if (text.Length == 0)
        {
            return [];
        }
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new ContainerAppsJobException($"ARM's answer {action} is not a JSON object.");
        }
        catch (JsonException error)
        {
            throw new ContainerAppsJobException($"ARM's answer {action} is not valid JSON: {error.Message}");
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Retrain run {RunId} ({Trigger}) launched on job {JobResourceId} as execution {JobExecution}")]
    private partial void LogLaunched(string runId, RunTrigger trigger, string jobResourceId, string jobExecution);

    [LoggerMessage(EventId = 22, Level = LogLevel.Error, Message = "Retrain run {RunId}: the job {JobResourceId} could not be started")]
    private partial void LogLaunchFailed(string runId, string jobResourceId, Exception error);
}

/// <summary>ARM refused or did not understand a request about the Container Apps job; the message says which and why.</summary>
public sealed class ContainerAppsJobException(string message) : Exception(message);
