using System.ComponentModel;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Recommender.LocalHost;

/// <summary>
/// Calls one [Function] method the way the isolated worker does: a new instance per invocation built from the
/// invocation's service scope, arguments bound by parameter type (trigger, CancellationToken, FunctionContext) and,
/// for HTTP, route values by parameter name.
/// </summary>
internal sealed class FunctionInvoker
{
    private readonly MethodInfo _method;
    private readonly ObjectFactory? _factory;
    private readonly Func<InvocationArguments, object?>[] _binders;

    private FunctionInvoker(string name, MethodInfo method, Func<InvocationArguments, object?>[] binders)
    {
        Name = name;
        _method = method;
        _binders = binders;
        _factory = method.IsStatic ? null : ActivatorUtilities.CreateFactory(method.DeclaringType!, []);
    }

    public string Name { get; }

    /// <summary>Binds every parameter or says which one this host cannot supply.</summary>
    public static FunctionInvoker Create(string name, MethodInfo method, ParameterInfo trigger, Func<InvocationArguments, object?> bindTrigger)
    {
        if (!IsSupportedReturnType(method.ReturnType))
        {
            throw new NotSupportedException($"its return type {method.ReturnType.Name} is not supported (use void, Task, Task<T> or a value)");
        }
        var binders = method.GetParameters().Select(parameter => parameter == trigger ? bindTrigger : Binder(parameter)).ToArray();
        return new FunctionInvoker(name, method, binders);
    }

    private static Func<InvocationArguments, object?> Binder(ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        if (type == typeof(CancellationToken))
        {
            return arguments => arguments.CancellationToken;
        }
        if (type == typeof(FunctionContext))
        {
            return arguments => arguments.FunctionContext;
        }
        if (type == typeof(HttpContext))
        {
            return arguments => arguments.HttpContext ?? throw new InvalidOperationException("HttpContext is bound for HTTP functions only.");
        }
        var converter = TypeDescriptor.GetConverter(type);
        if (parameter.Name is { } name && (type == typeof(string) || converter.CanConvertFrom(typeof(string))))
        {
            return arguments =>
            {
                var value = arguments.HttpContext?.GetRouteValue(name) as string;
                return value is null || type == typeof(string) ? value : converter.ConvertFromInvariantString(value);
            };
        }
        throw new NotSupportedException($"parameter '{parameter.Name}' of type {type.Name} cannot be bound by the local host");
    }

    private static bool IsSupportedReturnType(Type type) =>
        !(type.IsGenericType && type.GetGenericTypeDefinition() is var definition && (definition == typeof(ValueTask<>)))
        && type != typeof(ValueTask);

    /// <summary>Runs the function and returns its (awaited) result; null for void and Task.</summary>
    public async Task<object?> InvokeAsync(IServiceProvider services, InvocationArguments arguments)
    {
        var instance = _factory?.Invoke(services, null);
        try
        {
            var values = _binders.Select(bind => bind(arguments)).ToArray();
            object? returned;
            try
            {
                returned = _method.Invoke(instance, values);
            }
            catch (TargetInvocationException error) when (error.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error.InnerException).Throw();
                throw;
            }
            if (returned is Task task)
            {
                await task.ConfigureAwait(false);
                var resultProperty = task.GetType().GetProperty(nameof(Task<object>.Result));
                return _method.ReturnType.IsGenericType ? resultProperty?.GetValue(task) : null;
            }
            return returned;
        }
        finally
        {
            switch (instance)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    /// <summary>Writes what an HTTP function returned, as the Functions ASP.NET Core integration does.</summary>
    public static async Task WriteResultAsync(HttpContext context, object? result)
    {
        switch (result)
        {
            case IResult httpResult:
                await httpResult.ExecuteAsync(context).ConfigureAwait(false);
                break;
            case IActionResult actionResult:
                await actionResult.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor())).ConfigureAwait(false);
                break;
            case null:
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                break;
            default:
                await context.Response.WriteAsJsonAsync(result, result.GetType(), context.RequestAborted).ConfigureAwait(false);
                break;
        }
    }
}

/// <summary>What an invocation can bind: the HTTP context (HTTP functions), the timer info (timers), the token.</summary>
internal sealed record InvocationArguments(HttpContext? HttpContext, TimerInfo? TimerInfo, FunctionContext FunctionContext, CancellationToken CancellationToken);
