using BenchmarkDotNet.Running;
using Recommender.Benchmarks;
using Recommender.Benchmarks.Engine;

// "parse": the ingestion throughput/memory measurement on an ML-20M-sized synthetic release.
// "engine-latency": per-request latency percentiles, bundle load time and concurrent throughput of the engine.
// "train-epoch": one epoch of gcn-lstm training on an ML-20M-sized synthetic release: seconds and peak memory.
// "http-load": requests/s and p50/p99 latency of the HTTP API on a running local host (loopback only).
// "cold-start": local host process start to its first answered recommendation.
// "experiment": trains models with overridden training options and prints their test metrics (the options harness).
// Anything else goes to BenchmarkDotNet (for example: --filter '*RatingsParsing*' or '*Engine*').
if (args.Length > 0 && args[0] == "parse")
{
    return ParseCommand.Run(args[1..]);
}
if (args.Length > 0 && args[0] == "engine-latency")
{
    return EngineLatencyCommand.Run(args[1..]);
}
if (args.Length > 0 && args[0] == "train-epoch")
{
    return TrainEpochCommand.Run(args[1..]);
}
if (args.Length > 0 && args[0] == "http-load")
{
    return await HttpLoadCommand.RunAsync(args[1..]);
}
if (args.Length > 0 && args[0] == "publish-bundle")
{
    return await PublishBundleCommand.RunAsync(args[1..]);
}
if (args.Length > 0 && args[0] == "cold-start")
{
    return await ColdStartCommand.RunAsync(args[1..]);
}
if (args.Length > 0 && args[0] == "experiment")
{
    return ExperimentCommand.Run(args[1..]);
}
BenchmarkSwitcher.FromAssembly(typeof(ParseCommand).Assembly).Run(args);
return 0;
