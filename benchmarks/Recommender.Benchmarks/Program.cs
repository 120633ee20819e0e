using BenchmarkDotNet.Running;
using Recommender.Benchmarks;
using Recommender.Benchmarks.Engine;

// "parse": the ingestion throughput/memory measurement on an ML-20M-sized synthetic release.
// "engine-latency": per-request latency percentiles, bundle load time and concurrent throughput of the engine.
// "train-epoch": one epoch of gcn-lstm training on an ML-20M-sized synthetic release: seconds and peak memory.
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
BenchmarkSwitcher.FromAssembly(typeof(ParseCommand).Assembly).Run(args);
return 0;
