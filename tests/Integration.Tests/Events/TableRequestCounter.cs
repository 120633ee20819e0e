using Azure.Core;
using Azure.Core.Pipeline;
using Recommender.Model.Events;

namespace Recommender.Integration.Tests.Events;

/// <summary>Counts the entity group transactions (requests to $batch), the queries (GETs with a filter) and the POSTs (transactions and inserts) a client sends.</summary>
internal sealed class TableRequestCounter : HttpPipelineSynchronousPolicy
{
    private int _batches;
    private int _queries;
    private int _posts;

    public int Batches => Volatile.Read(ref _batches);
    public int Queries => Volatile.Read(ref _queries);
    public int Posts => Volatile.Read(ref _posts);

    /// <summary>A store whose client counts its requests.</summary>
    public static (UserEventStore Store, TableRequestCounter Requests) Store(EventStoreOptions options, TimeProvider? time = null)
    {
        var requests = new TableRequestCounter();
        var clientOptions = AzuriteFixture.FastFailingTableOptions();
        clientOptions.AddPolicy(requests, HttpPipelinePosition.PerCall);
        return (new UserEventStore(options.CreateServiceClient(clientOptions), options, time), requests);
    }

    public override void OnSendingRequest(HttpMessage message)
    {
        if (message.Request.Method == RequestMethod.Post)
        {
            Interlocked.Increment(ref _posts);
        }
        if (message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _batches);
        }
        else if (message.Request.Method == RequestMethod.Get && message.Request.Uri.Query.Contains("filter", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _queries);
        }
    }
}
