using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Recommender.Functions;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddFunctionApp(builder.Configuration);
builder.Services.AddOpenTelemetry()
    .UseFunctionsWorkerDefaults()
    .AddServingTelemetry()
    .UseAzureMonitorWhenConfigured(builder.Configuration);
builder.Build().Run();
