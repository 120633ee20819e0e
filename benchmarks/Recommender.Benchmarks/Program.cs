using System.Runtime.ExceptionServices;
using BenchmarkDotNet.Running;
using Recommender.Benchmarks;
using Recommender.Benchmarks.Engine;
using Recommender.Training.Cli;
using Spectre.Console;
using Spectre.Console.Cli;

// The measurements BenchmarkDotNet's statistics do not give are commands of their own (each with --help); anything
// else goes to BenchmarkDotNet (for example: --filter '*RatingsParsing*' or '*Engine*').
var app = new CommandApp();
var commands = new List<string>();
app.Configure(config =>
{
    config.SetApplicationName("Recommender.Benchmarks");
    // Relaxed parsing with the training CLI's interceptor: strict parsing binds a missing last value to a placeholder.
    config.Settings.Registrar.RegisterInstance<ICommandInterceptor>(new UnknownOptionsInterceptor());
    config.SetExceptionHandler((exception, _) =>
    {
        if (exception is not (CommandRuntimeException or UsageException))
        {
            ExceptionDispatchInfo.Throw(exception);
        }
        var error = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (exception is CommandAppException { Pretty: { } pretty })
        {
            error.Write(pretty);
        }
        else
        {
            error.MarkupLineInterpolated($"[red]error:[/] {exception.Message}");
        }
        return 2;
    });
    void Add<TCommand>(string name) where TCommand : class, ICommand
    {
        config.AddCommand<TCommand>(name);
        commands.Add(name);
    }
    Add<ParseCommand>("parse");
    Add<EngineLatencyCommand>("engine-latency");
    Add<TrainEpochCommand>("train-epoch");
    Add<HttpLoadCommand>("http-load");
    Add<PublishBundleCommand>("publish-bundle");
    Add<ColdStartCommand>("cold-start");
    Add<ExperimentCommand>("experiment");
});
if (args.Length > 0 && commands.Contains(args[0]))
{
    return await app.RunAsync(args);
}
BenchmarkSwitcher.FromAssembly(typeof(ParseCommand).Assembly).Run(args);
return 0;
