using Recommender.Training.Cli;

return TrainingCli.Run(args, CliConsoles.ForProcess(), TrainingCli.Services.ForProcess());
