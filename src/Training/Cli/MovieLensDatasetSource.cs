using Recommender.Model.Data;

namespace Recommender.Training.Cli;

// Compiles once ingestion (MovieLensReader, IngestionOptions, IngestionException) is merged: see the
// <Compile Remove> in Recommender.Training.csproj.

/// <summary>Reads MovieLens releases with <see cref="MovieLensReader"/>.</summary>
internal sealed class MovieLensDatasetSource : IDatasetSource
{
    public MovieLensDataset Load(string path, bool skipBadRows)
    {
        try
        {
            return MovieLensReader.Load(path, new IngestionOptions { SkipBadRows = skipBadRows });
        }
        catch (IngestionException exception)
        {
            throw new CommandFailedException(exception.Message, exception);
        }
    }
}

internal static partial class TrainingCommands
{
    static partial void AddDataCommands(List<ICommand> commands) =>
        commands.AddRange(DataCommands(new MovieLensDatasetSource()));
}
