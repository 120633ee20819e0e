using BenchmarkDotNet.Running;
using Recommender.Benchmarks;

// "parse": the ingestion throughput/memory measurement on an ML-20M-sized synthetic release.
// Anything else goes to BenchmarkDotNet (for example: --filter '*RatingsParsing*').
if (args.Length > 0 && args[0] == "parse")
{
    return ParseCommand.Run(args[1..]);
}
BenchmarkSwitcher.FromAssembly(typeof(ParseCommand).Assembly).Run(args);
return 0;
