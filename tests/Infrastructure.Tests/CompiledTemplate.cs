using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Recommender.Infrastructure.Tests;

/// <summary>
/// Reads the ARM JSON that `bicep build` makes of infra/main.bicep: the resources of each module (inlined as nested
/// deployments) and where a module's parameter or output value comes from.
/// </summary>
internal sealed partial class CompiledTemplate(JsonObject main)
{
    /// <summary>Names of main.bicep's parameters.</summary>
    public IReadOnlySet<string> ParameterNames() =>
        (main["parameters"]?.AsObject().Select(pair => pair.Key) ?? []).ToHashSet(StringComparer.Ordinal);

    /// <summary>The default value of main.bicep's parameter <paramref name="name"/> (null when it has none).</summary>
    public JsonNode? ParameterDefault(string name) => main["parameters"]?[name]?["defaultValue"];

    /// <summary>The resources of <paramref name="type"/> in the module deployment <paramref name="module"/>.</summary>
    public IReadOnlyList<JsonObject> Resources(string module, string type) =>
        Resources(ModuleTemplate(module)).Where(resource => (string?)resource["type"] == type).ToList();

    /// <summary>The one resource of <paramref name="type"/> in the module deployment <paramref name="module"/>.</summary>
    public JsonObject Resource(string module, string type)
    {
        var matches = Resources(module, type);
        return matches.Count == 1
            ? matches[0]
            : throw new InvalidOperationException($"module '{module}' has {matches.Count} resources of type {type}, expected 1");
    }

    /// <summary>
    /// Follows a value inside <paramref name="module"/> back to where it is made: a module parameter to the argument
    /// main.bicep passes, a main variable to its value, another module's output to that output's value.
    /// </summary>
    public string Trace(string module, string value)
    {
        for (var hops = 0; hops < 10; hops++)
        {
            if (ParameterReference().Match(value) is { Success: true } parameter && module != "")
            {
                value = ArgumentOf(module, parameter.Groups["name"].Value);
                module = "";
            }
            else if (VariableReference().Match(value) is { Success: true } variable)
            {
                var template = module == "" ? main : ModuleTemplate(module);
                value = (string?)template["variables"]?[variable.Groups["name"].Value]
                    ?? throw new InvalidOperationException($"variable {variable.Groups["name"].Value} is not a string in '{module}'");
            }
            else if (ModuleOutputReference().Match(value) is { Success: true } output && module == "")
            {
                module = output.Groups["module"].Value;
                value = (string?)ModuleTemplate(module)["outputs"]?[output.Groups["output"].Value]?["value"]
                    ?? throw new InvalidOperationException($"module '{module}' has no output {output.Groups["output"].Value}");
            }
            else
            {
                return value;
            }
        }
        throw new InvalidOperationException($"{value} did not resolve within 10 steps");
    }

    private string ArgumentOf(string module, string parameter) =>
        (string?)Deployment(module)["properties"]?["parameters"]?[parameter]?["value"]
        ?? throw new InvalidOperationException($"main.bicep passes no string for parameter {parameter} of module '{module}'");

    private JsonObject ModuleTemplate(string module) =>
        Deployment(module)["properties"]?["template"]?.AsObject()
        ?? throw new InvalidOperationException($"module '{module}' has no inline template");

    private JsonObject Deployment(string module) =>
        Resources(main).SingleOrDefault(resource =>
            (string?)resource["type"] == "Microsoft.Resources/deployments" && (string?)resource["name"] == module)
        ?? throw new InvalidOperationException($"main.bicep has no module deployment named '{module}'");

    // Templates that use symbolic names keep resources in an object, the others in an array.
    private static IEnumerable<JsonObject> Resources(JsonObject template) => template["resources"] switch
    {
        JsonArray array => array.OfType<JsonObject>(),
        JsonObject byName => byName.Select(pair => pair.Value).OfType<JsonObject>(),
        _ => [],
    };

    [GeneratedRegex(@"^\[parameters\('(?<name>\w+)'\)\]$")]
    private static partial Regex ParameterReference();

    [GeneratedRegex(@"^\[variables\('(?<name>\w+)'\)\]$")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"^\[reference\(.*'Microsoft\.Resources/deployments', '(?<module>[\w-]+)'\), '[\w-]+'\)\.outputs\.(?<output>\w+)\.value\]$")]
    private static partial Regex ModuleOutputReference();
}
