using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker;

namespace Recommender.Functions.Api;

/// <summary>
/// The OpenAPI 3.1 document of the HTTP functions, built from their own trigger attributes (methods, route, auth
/// level) and their OpenApi* attributes, so that it cannot drift from what the host serves.
/// </summary>
public static partial class OpenApiDocument
{
    public const string FunctionKeyScheme = "functionKey";

    public static JsonObject Build(IEnumerable<HttpFunction> functions, string routePrefix)
    {
        var paths = new JsonObject();
        foreach (var function in functions.OrderBy(function => function.Route, StringComparer.Ordinal))
        {
            var path = "/" + HttpRoutePrefix.Combine(routePrefix, RouteConstraint().Replace(function.Route, "}"));
            if (paths[path] is not JsonObject item)
            {
                item = [];
                paths[path] = item;
            }
            var methods = function.Methods.Count == 0 ? ["GET", "POST", "PUT", "DELETE", "PATCH"] : function.Methods;
            foreach (var method in methods)
            {
                item[method.ToLowerInvariant()] = Operation(function);
            }
        }
        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "Movie recommender",
                ["version"] = typeof(OpenApiDocument).Assembly.GetName().Version?.ToString() ?? "1.0",
                ["description"] = "Recommendations from the published GCN+LSTM model. Errors are RFC 7807 problem details (application/problem+json).",
            },
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["securitySchemes"] = new JsonObject
                {
                    [FunctionKeyScheme] = new JsonObject { ["type"] = "apiKey", ["in"] = "header", ["name"] = "x-functions-key" },
                },
                ["schemas"] = new JsonObject { ["ProblemDetails"] = ProblemSchema() },
            },
        };
    }

    private static JsonObject Operation(HttpFunction function)
    {
        var description = function.Method.GetCustomAttribute<OpenApiOperationAttribute>();
        var parameters = new JsonArray();
        foreach (Match match in RouteParameter().Matches(function.Route))
        {
            parameters.Add(new JsonObject
            {
                ["name"] = match.Groups["name"].Value,
                ["in"] = "path",
                ["required"] = true,
                ["schema"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1 },
            });
        }
        foreach (var query in function.Method.GetCustomAttributes<OpenApiQueryAttribute>())
        {
            parameters.Add(new JsonObject
            {
                ["name"] = query.Name,
                ["in"] = "query",
                ["required"] = false,
                ["description"] = query.Description,
                ["schema"] = new JsonObject { ["type"] = query.Type },
            });
        }
        var responses = new JsonObject();
        foreach (var response in function.Method.GetCustomAttributes<OpenApiResponseAttribute>())
        {
            responses[response.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["description"] = "OK",
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Schema(response.BodyType) } },
            };
        }
        foreach (var (status, meaning) in new[] { ("400", "Invalid input"), ("404", "Unknown movie"), ("415", "Body is not JSON"), ("503", "No model published yet (see Retry-After)") })
        {
            responses[status] = new JsonObject
            {
                ["description"] = meaning,
                ["content"] = new JsonObject { [ApiProblems.ContentType] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/ProblemDetails" } } },
            };
        }
        var operation = new JsonObject
        {
            ["operationId"] = function.Name,
            ["summary"] = description?.Summary ?? function.Name,
            ["description"] = description?.Description ?? "",
            ["parameters"] = parameters,
            ["responses"] = responses,
        };
        if (function.Method.GetCustomAttribute<OpenApiRequestBodyAttribute>() is { } body)
        {
            operation["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Schema(body.BodyType) } },
            };
        }
        operation["security"] = function.AuthLevel == AuthorizationLevel.Anonymous
            ? new JsonArray()
            : new JsonArray(new JsonObject { [FunctionKeyScheme] = new JsonArray() });
        return operation;
    }

    private static JsonNode Schema(Type type) =>
        ApiJson.Options.GetJsonSchemaAsNode(type, new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });

    private static JsonObject ProblemSchema() => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["type"] = new JsonObject { ["type"] = "string" },
            ["title"] = new JsonObject { ["type"] = "string" },
            ["status"] = new JsonObject { ["type"] = "integer" },
            ["detail"] = new JsonObject { ["type"] = "string" },
            ["parameter"] = new JsonObject { ["type"] = "string", ["description"] = "The query parameter, route value or body field at fault." },
        },
    };

    [GeneratedRegex(@"\{(?<name>[A-Za-z_][A-Za-z0-9_]*)[^}]*\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex(@":[^}]*\}")]
    private static partial Regex RouteConstraint();
}
