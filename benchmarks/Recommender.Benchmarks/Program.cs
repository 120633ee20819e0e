using BenchmarkDotNet.Running;
using Recommender.Benchmarks.Engine;

// "engine-latency": per-request latency percentiles, bundle load time and concurrent throughput of the engine.
// Anything else goes to BenchmarkDotNet (for example: --filter '*Engine*').
if (args.Length > 0 && args[0] == "engine-latency")
{
    return EngineLatencyCommand.Run(args[1..]);
}
BenchmarkSwitcher.FromAssembly(typeof(EngineLatencyCommand).Assembly).Run(args);
return 0;
