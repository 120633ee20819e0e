using System.Collections;
using Microsoft.Azure.Functions.Worker;

namespace Recommender.LocalHost;

/// <summary>
/// The part of <see cref="FunctionContext"/> a local invocation can honestly supply: ids, the invocation's services
/// (so <c>context.GetLogger(...)</c> works), items, features and the cancellation token. Binding, trace and retry
/// contexts belong to the Functions host and throw here.
/// </summary>
internal sealed class LocalFunctionContext(string functionName, IServiceProvider services, CancellationToken cancellationToken) : FunctionContext
{
    public override string InvocationId { get; } = Guid.NewGuid().ToString();
    public override string FunctionId { get; } = functionName;
    public override IServiceProvider InstanceServices { get; set; } = services;
    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
    public override IInvocationFeatures Features { get; } = new LocalInvocationFeatures();
    public override CancellationToken CancellationToken { get; } = cancellationToken;
    public override TraceContext TraceContext => throw NotSupported(nameof(TraceContext));
    public override BindingContext BindingContext => throw NotSupported(nameof(BindingContext));
    public override RetryContext RetryContext => throw NotSupported(nameof(RetryContext));
    public override FunctionDefinition FunctionDefinition => throw NotSupported(nameof(FunctionDefinition));

    private static NotSupportedException NotSupported(string member) =>
        new($"FunctionContext.{member} is provided by the Functions host only; the local development host does not supply it.");

    private sealed class LocalInvocationFeatures : IInvocationFeatures
    {
        private readonly Dictionary<Type, object> _features = [];

        public T? Get<T>() => _features.TryGetValue(typeof(T), out var feature) ? (T)feature : default;

        public void Set<T>(T instance)
        {
            if (instance is null)
            {
                _features.Remove(typeof(T));
            }
            else
            {
                _features[typeof(T)] = instance;
            }
        }

        public IEnumerator<KeyValuePair<Type, object>> GetEnumerator() => _features.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
