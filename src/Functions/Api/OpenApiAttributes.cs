namespace Recommender.Functions.Api;

/// <summary>Summary and description of an HTTP function in the OpenAPI document.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OpenApiOperationAttribute(string summary, string description) : Attribute
{
    public string Summary { get; } = summary;
    public string Description { get; } = description;
}

/// <summary>A query parameter of an HTTP function (route parameters come from the route template).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class OpenApiQueryAttribute(string name, string type, string description) : Attribute
{
    public string Name { get; } = name;

    /// <summary>The JSON schema type: string, integer or boolean.</summary>
    public string Type { get; } = type;

    public string Description { get; } = description;
}

/// <summary>The JSON request body type of an HTTP function.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OpenApiRequestBodyAttribute(Type bodyType) : Attribute
{
    public Type BodyType { get; } = bodyType;
}

/// <summary>A successful JSON response of an HTTP function (problem responses are added to every operation).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class OpenApiResponseAttribute(int status, Type bodyType) : Attribute
{
    public int Status { get; } = status;
    public Type BodyType { get; } = bodyType;
}
