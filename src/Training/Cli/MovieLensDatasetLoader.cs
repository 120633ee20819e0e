using Recommender.Model.Data;

namespace Recommender.Training.Cli;

/// <summary>Reads MovieLens releases with <see cref="MovieLensReader"/>.</summary>
internal sealed class MovieLensDatasetLoader : IDatasetLoader
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
