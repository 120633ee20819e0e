using System.Runtime.ExceptionServices;
using Recommender.LocalHost;
using Spectre.Console;
using Spectre.Console.Cli;

var error = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
var app = new CommandApp<LocalHostCommand>();
app.Configure(config =>
{
    config.SetApplicationName("Recommender.LocalHost");
    config.SetExceptionHandler((exception, _) =>
    {
        switch (exception)
        {
            case LocalHostConfigurationException:
                Console.Error.WriteLine(exception.Message);
                return 2;
            case CommandAppException { Pretty: { } pretty }:
                error.Write(pretty);
                break;
            case CommandRuntimeException:
                error.MarkupLineInterpolated($"[red]error:[/] {exception.Message}");
                break;
            default:
                ExceptionDispatchInfo.Throw(exception);
                break;
        }
        error.WriteLine("Run 'Recommender.LocalHost --help' for usage.");
        return 2;
    });
});
return await app.RunAsync(args);
