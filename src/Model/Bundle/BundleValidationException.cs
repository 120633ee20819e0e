namespace Recommender.Model.Bundle;

/// <summary>A model bundle that is damaged, incomplete or from an unsupported schema; names the offending file.</summary>
public sealed class BundleValidationException : Exception
{
    public BundleValidationException(string bundleDirectory, string fileName, string problem, Exception? inner = null)
        : base($"Model bundle '{bundleDirectory}': {fileName}: {problem}", inner)
    {
        BundleDirectory = bundleDirectory;
        FileName = fileName;
        Problem = problem;
    }

    public string BundleDirectory { get; }

    /// <summary>The file inside the bundle that failed validation (for example "users.f32" or "manifest.json").</summary>
    public string FileName { get; }

    public string Problem { get; }
}
