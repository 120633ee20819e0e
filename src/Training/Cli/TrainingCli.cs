using Spectre.Console.Cli;

namespace Recommender.Training.Cli;

/// <summary>The Recommender.Training command line: its commands, the services they take and how errors end a run.</summary>
internal static class TrainingCli
{
    public const string ProgramName = "Recommender.Training";

    /// <summary>What the commands read through: data sets, the models <c>evaluate</c> offers, app settings by name.</summary>
    public sealed record Services(IDatasetLoader Datasets, IReadOnlyList<EvaluationModel> EvaluationModels, Func<string, string?> AppSettings)
    {
        public static Services ForProcess() => new(new MovieLensDatasetLoader(), Cli.EvaluationModels.All, Environment.GetEnvironmentVariable);
    }

    /// <summary>Runs one command line and returns its exit code (see <see cref="ExitCodes"/>).</summary>
    public static int Run(IReadOnlyList<string> args, CliConsoles consoles, Services services)
    {
        if (args.Count == 0)
        {
            // Without a command the library shows the help and succeeds; here that is a usage error, help on stderr.
            Create(args, consoles with { Output = consoles.Error }, services).Run(["--help"]);
            return ExitCodes.Usage;
        }
        return Create(args, consoles, services).Run(args);
    }

    private static CommandApp Create(IReadOnlyList<string> args, CliConsoles consoles, Services services)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName(ProgramName);
            config.ConfigureConsole(consoles.Output);
            config.SetExceptionHandler((exception, _) => CommandErrors.Report(exception, args, consoles.Error));

            var registrar = config.Settings.Registrar;
            registrar.RegisterInstance<ICommandInterceptor>(new UnknownOptionsInterceptor());
            registrar.RegisterInstance<CliConsoles>(consoles);
            registrar.RegisterInstance<IDatasetLoader>(services.Datasets);
            registrar.RegisterInstance<IReadOnlyList<EvaluationModel>>(services.EvaluationModels);
            registrar.RegisterInstance<Func<string, string?>>(services.AppSettings);

            config.AddCommand<StatsCommand>("stats")
                .WithExample("stats", "--data", "../shared/data/movielens/ml-100k");
            config.AddCommand<EvaluateCommand>("evaluate")
                .WithDescription(EvaluateCommand.DescriptionWith(services.EvaluationModels))
                .WithExample("evaluate", "--data", "../shared/data/movielens/ml-100k", "--protocol", "stratified", "--models", "popularity", "--out", "out/ml100k");
            config.AddCommand<GenerateCommand>("generate")
                .WithExample("generate", "--out", "data/synthetic", "--users", "1000", "--movies", "2000", "--ratings", "100000");
            config.AddCommand<TrainCommand>("train")
                .WithExample("train", "--data", "../shared/data/movielens/ml-100k", "--models", "all", "--out", "out/ml100k-all");
            config.AddCommand<ExportCommand>("export")
                .WithExample("export", "--run", "out/ml100k-all");
            config.AddCommand<RecommendCommand>("recommend")
                .WithExample("recommend", "--bundle", "out/ml100k-all/bundle", "--user", "1", "--count", "5");
            config.AddCommand<UploadDataCommand>("upload-data")
                .WithExample("upload-data", "--data", "../shared/data/movielens/ml-latest-small");
            config.AddCommand<RetrainCommand>("retrain")
                .WithExample("retrain", "--run-id", "20250101-000000-0123abcd", "--trigger", "http");
        });
        return app;
    }
}
