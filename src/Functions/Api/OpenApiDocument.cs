using System.Globalization;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker;
using Recommender.Model.Storage;

namespace Recommender.Functions.Api;

/// <summary>
/// The OpenAPI 3.1 document of the HTTP functions, built from their own trigger attributes (methods, route, auth
/// level) and their OpenApi* attributes, so that it cannot drift from what the host serves.
/// </summary>
public static partial class OpenApiDocument
{
    public const string FunctionKeyScheme = "functionKey";
    public const string FunctionKeyQueryScheme = "functionKeyQuery";
    public const string ProblemSchema = "ProblemDetails";

    private const string SchemaReferencePrefix = "#/components/schemas/";

    /// <summary>
    /// Response bodies as <see cref="ApiJson.Options"/> writes them: numbers are JSON numbers (reading them from
    /// strings, and refusing unknown members, are settings for reading), and members may be added later.
    /// </summary>
    private static readonly JsonSerializerOptions ResponseSchemaOptions = ReadOnly(new JsonSerializerOptions(ApiJson.Options)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    });

    private static readonly JsonSerializerOptions RequestSchemaOptions = ReadOnly(new JsonSerializerOptions(ApiJson.RequestOptions));

    private static readonly JsonSerializerOptions RunRecordSchemaOptions = ReadOnly(new JsonSerializerOptions(RunRecordStore.JsonOptions));

    private static readonly JsonSerializerOptions TextOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The document as GET /api/openapi.json serves it: indented JSON.</summary>
    public static string BuildText(IEnumerable<HttpFunction> functions, string routePrefix) =>
        Build(functions, routePrefix).ToJsonString(TextOptions);

    public static JsonObject Build(IEnumerable<HttpFunction> functions, string routePrefix)
    {
        var schemas = new SchemaComponents();
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
                item[method.ToLowerInvariant()] = Operation(function, schemas);
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
            ["servers"] = new JsonArray(new JsonObject
            {
                ["url"] = "/",
                ["description"] = "The host that serves this document: the Function App, or the local host in development.",
            }),
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["securitySchemes"] = new JsonObject
                {
                    [FunctionKeyScheme] = new JsonObject
                    {
                        ["type"] = "apiKey",
                        ["in"] = "header",
                        ["name"] = "x-functions-key",
                        ["description"] = "A key of the Function App (the local host's --function-key): a function or host key, or the master key for admin-level operations.",
                    },
                    [FunctionKeyQueryScheme] = new JsonObject
                    {
                        ["type"] = "apiKey",
                        ["in"] = "query",
                        ["name"] = "code",
                        ["description"] = "The same key as a query parameter.",
                    },
                },
                ["schemas"] = schemas.ToJson(),
            },
        };
    }

    private static JsonObject Operation(HttpFunction function, SchemaComponents schemas)
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
        var responses = new SortedDictionary<int, JsonObject>();
        foreach (var response in function.Method.GetCustomAttributes<OpenApiResponseAttribute>())
        {
            responses.Add(response.Status, new JsonObject
            {
                ["description"] = response.Description,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schemas.Reference(response.BodyType, WriterOptions(response.BodyType)) } },
            });
        }
        foreach (var problem in function.Method.GetCustomAttributes<OpenApiProblemAttribute>())
        {
            responses.Add(problem.Status, ProblemResponse(problem, schemas));
        }
        if (function.AuthLevel != AuthorizationLevel.Anonymous)
        {
            // What the Functions host (and the local host) answers before the function runs: no body.
            var key = function.AuthLevel == AuthorizationLevel.Admin ? "the master key" : "a valid key";
            responses.Add(401, new JsonObject
            {
                ["description"] = $"The x-functions-key header or the code query parameter is missing or not {key}. The body is empty.",
            });
        }
        var operation = new JsonObject
        {
            ["operationId"] = function.Name,
            ["summary"] = description?.Summary ?? function.Name,
            ["description"] = description?.Description ?? "",
            ["parameters"] = parameters,
            ["responses"] = new JsonObject(responses.Select(pair =>
                KeyValuePair.Create(pair.Key.ToString(CultureInfo.InvariantCulture), (JsonNode?)pair.Value))),
        };
        if (function.Method.GetCustomAttribute<OpenApiRequestBodyAttribute>() is { } body)
        {
            operation["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schemas.Reference(body.BodyType, RequestSchemaOptions) } },
            };
        }
        operation["security"] = function.AuthLevel == AuthorizationLevel.Anonymous
            ? new JsonArray()
            : new JsonArray(new JsonObject { [FunctionKeyScheme] = new JsonArray() }, new JsonObject { [FunctionKeyQueryScheme] = new JsonArray() });
        return operation;
    }

    /// <summary>RetrainNow answers with the run record as <see cref="RunRecordStore.Serialize"/> writes it; every other body is the API's.</summary>
    private static JsonSerializerOptions WriterOptions(Type bodyType) =>
        bodyType == typeof(RunRecord) ? RunRecordSchemaOptions : ResponseSchemaOptions;

    private static JsonObject ProblemResponse(OpenApiProblemAttribute problem, SchemaComponents schemas)
    {
        var response = new JsonObject
        {
            ["description"] = problem.Description,
            ["content"] = new JsonObject { [ApiProblems.ContentType] = new JsonObject { ["schema"] = schemas.ProblemReference() } },
        };
        if (problem.RetryAfter)
        {
            response["headers"] = new JsonObject
            {
                ["Retry-After"] = new JsonObject
                {
                    ["description"] = "Whole seconds to wait before trying again.",
                    ["schema"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1 },
                },
            };
        }
        return response;
    }

    private static JsonSerializerOptions ReadOnly(JsonSerializerOptions options)
    {
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>
    /// The document's named schemas: every object type a body contains, once, under its type name, and a reference
    /// wherever it occurs (client generators name their classes after them); problem details for every error. The
    /// exporter's schemas are recast where client generators misread them (NSwag makes empty classes of both anyOf
    /// forms): a nullable object is oneOf null or the reference, and a floating-point number written with
    /// AllowNamedFloatingPointLiterals is a number or one of the strings "NaN", "Infinity", "-Infinity", with its
    /// format (float or double) so that clients keep its precision; an enum written as names is a string.
    /// </summary>
    private sealed class SchemaComponents
    {
        private readonly SortedDictionary<string, (Type Type, JsonNode Schema)> _schemas = new(StringComparer.Ordinal);

        public JsonNode Reference(Type type, JsonSerializerOptions options) =>
            options.GetJsonSchemaAsNode(type, new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true, TransformSchemaNode = Transform });

        public JsonNode ProblemReference()
        {
            _schemas.TryAdd(ProblemSchema, (typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject
                {
                    ["type"] = new JsonObject { ["type"] = "string", ["description"] = "urn:recommender:problem:..., one per kind of problem." },
                    ["title"] = new JsonObject { ["type"] = "string" },
                    ["status"] = new JsonObject { ["type"] = "integer" },
                    ["detail"] = new JsonObject { ["type"] = "string" },
                    [ApiProblems.ParameterExtension] = new JsonObject { ["type"] = "string", ["description"] = "The query parameter, route value or body field at fault." },
                },
                ["required"] = new JsonArray("type", "title", "status", "detail"),
            }));
            return new JsonObject { ["$ref"] = SchemaReferencePrefix + ProblemSchema };
        }

        public JsonObject ToJson() => new(_schemas.Select(pair => KeyValuePair.Create(pair.Key, (JsonNode?)pair.Value.Schema)));

        private JsonNode Transform(JsonSchemaExporterContext context, JsonNode schema)
        {
            var typeInfo = context.TypeInfo;
            var numberType = Nullable.GetUnderlyingType(typeInfo.Type) ?? typeInfo.Type;
            if ((numberType == typeof(double) || numberType == typeof(float))
                && typeInfo.Options.NumberHandling.HasFlag(JsonNumberHandling.AllowNamedFloatingPointLiterals))
            {
                // JSON Schema applies pattern to strings only: any number, or one of the three names (or null when optional).
                var types = new JsonArray("number", "string");
                if (numberType != typeInfo.Type)
                {
                    types.Add("null");
                }
                return new JsonObject
                {
                    ["type"] = types,
                    ["format"] = numberType == typeof(float) ? "float" : "double",
                    ["pattern"] = "^(NaN|-?Infinity)$",
                };
            }
            if (typeInfo.Type.IsEnum && schema is JsonObject values && !values.ContainsKey("type"))
            {
                // JsonStringEnumConverter writes names; without the type, NSwag's enums read numbers.
                values["type"] = "string";
                return values;
            }
            return typeInfo.Kind == JsonTypeInfoKind.Object && schema is JsonObject node ? Name(typeInfo.Type, node) : schema;
        }

        private JsonNode Name(Type type, JsonObject node)
        {
            var nullable = node["type"] is JsonArray types && types.Any(value => value?.GetValue<string>() == "null");
            if (nullable)
            {
                node["type"] = "object";
            }
            if (!_schemas.TryAdd(type.Name, (type, node)) && _schemas[type.Name].Type != type)
            {
                throw new InvalidOperationException(
                    $"Two body types are named {type.Name} ({_schemas[type.Name].Type} and {type}); the document names schemas by type name.");
            }
            JsonNode reference = new JsonObject { ["$ref"] = SchemaReferencePrefix + type.Name };
            return nullable ? new JsonObject { ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "null" }, reference) } : reference;
        }
    }

    [GeneratedRegex(@"\{(?<name>[A-Za-z_][A-Za-z0-9_]*)[^}]*\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex(@":[^}]*\}")]
    private static partial Regex RouteConstraint();
}
