using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Recommender.Functions.Api;

/// <summary>Serves the OpenAPI document of the app's HTTP functions (function-level key, like the API it describes).</summary>
public sealed class OpenApiFunction
{
    private static readonly Lazy<string> Document = new(() =>
        OpenApiDocument.BuildText(FunctionCatalog.HttpFunctions(FunctionCatalog.FunctionAppAssembly), HttpRoutePrefix.Read(AppContext.BaseDirectory)));

    [Function("OpenApi")]
    [OpenApiOperation("This document", "The OpenAPI 3.1 description of the HTTP API.")]
    [OpenApiResponse(200, typeof(JsonObject), "This document.")]
    public IResult OpenApi([HttpTrigger(AuthorizationLevel.Function, "get", Route = "openapi.json")] HttpRequest request) =>
        TypedResults.Text(Document.Value, "application/json", System.Text.Encoding.UTF8);
}
