using Recommender.Training.Cli;

return TrainingCommands.CreateDefault().Run(args, CommandContext.ForProcess());
