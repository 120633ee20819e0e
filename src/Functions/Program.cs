using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Recommender.Functions;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddRecommenderStorage(builder.Configuration);
builder.Services.AddRetraining(builder.Configuration);
builder.Build().Run();
