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

/// <summary>An application/json answer of an HTTP function: its status, body type and when it is given.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class OpenApiResponseAttribute(int status, Type bodyType, string description) : Attribute
{
    public int Status { get; } = status;
    public Type BodyType { get; } = bodyType;
    public string Description { get; } = description;
}

/// <summary>
/// A problem-details answer (<see cref="ApiProblems"/>) the function itself can give. The 401 of a missing or wrong
/// key is not declared so: the host gives it, and the document adds it to every operation that needs a key.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class OpenApiProblemAttribute(int status, string description) : Attribute
{
    public int Status { get; } = status;
    public string Description { get; } = description;

    /// <summary>The answer carries Retry-After: whole seconds to wait before trying again.</summary>
    public bool RetryAfter { get; init; }
}
