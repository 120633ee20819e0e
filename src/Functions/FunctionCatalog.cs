using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Recommender.Functions;

/// <summary>An HTTP-triggered [Function] method, as its attributes declare it.</summary>
/// <param name="Methods">Upper-case HTTP methods; empty when the trigger accepts every method.</param>
/// <param name="Route">The route template without the host's prefix (the function name when the trigger sets none).</param>
public sealed record HttpFunction(string Name, MethodInfo Method, IReadOnlyList<string> Methods, string Route, AuthorizationLevel AuthLevel, ParameterInfo Trigger);

/// <summary>A timer-triggered [Function] method; <see cref="Schedule"/> may be a %SETTING% reference.</summary>
public sealed record TimerFunction(string Name, MethodInfo Method, string Schedule, bool RunOnStartup, ParameterInfo Trigger);

/// <summary>The functions of an assembly found by reflection over the same attributes the Functions SDK reads.</summary>
public static class FunctionCatalog
{
    public static Assembly FunctionAppAssembly => typeof(FunctionCatalog).Assembly;

    public static IReadOnlyList<HttpFunction> HttpFunctions(Assembly assembly) =>
        [.. Functions(assembly)
            .Select(function => (function.Name, function.Method, Trigger: function.Method.GetParameters()
                .Select(parameter => (Parameter: parameter, Attribute: parameter.GetCustomAttribute<HttpTriggerAttribute>()))
                .FirstOrDefault(pair => pair.Attribute is not null)))
            .Where(function => function.Trigger.Attribute is not null)
            .Select(function => new HttpFunction(
                function.Name,
                function.Method,
                [.. (function.Trigger.Attribute!.Methods ?? []).Select(method => method.ToUpperInvariant())],
                function.Trigger.Attribute.Route ?? function.Name,
                function.Trigger.Attribute.AuthLevel,
                function.Trigger.Parameter))
            .OrderBy(function => function.Name, StringComparer.Ordinal)];

    public static IReadOnlyList<TimerFunction> TimerFunctions(Assembly assembly) =>
        [.. Functions(assembly)
            .Select(function => (function.Name, function.Method, Trigger: function.Method.GetParameters()
                .Select(parameter => (Parameter: parameter, Attribute: parameter.GetCustomAttribute<TimerTriggerAttribute>()))
                .FirstOrDefault(pair => pair.Attribute is not null)))
            .Where(function => function.Trigger.Attribute is not null)
            .Select(function => new TimerFunction(
                function.Name, function.Method, function.Trigger.Attribute!.Schedule, function.Trigger.Attribute.RunOnStartup, function.Trigger.Parameter))
            .OrderBy(function => function.Name, StringComparer.Ordinal)];

    private static IEnumerable<(string Name, MethodInfo Method)> Functions(Assembly assembly) =>
        assembly.GetExportedTypes()
            .Where(type => type.IsClass)
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(method => (Attribute: method.GetCustomAttribute<FunctionAttribute>(), Method: method))
            .Where(pair => pair.Attribute is not null)
            .Select(pair => (pair.Attribute!.Name, pair.Method));
}
