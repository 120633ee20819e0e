using Recommender.Model.Data;

namespace Recommender.Training.Cli;

/// <summary>Loads a MovieLens release for the data commands; the one place the CLI calls ingestion.</summary>
internal interface IDatasetLoader
{
    /// <exception cref="CommandFailedException">The data is missing or malformed; the message names file and line.</exception>
    MovieLensDataset Load(string path, bool skipBadRows);
}
