namespace Recommender.Testing;

/// <summary>The training CLI as the build left it in src/Training, in the configuration of the running tests.</summary>
public static class BuiltTrainingCli
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        // .../tests/<project>/bin/CONFIGURATION/TFM/
        var output = new DirectoryInfo(AppContext.BaseDirectory);
        var (framework, configuration) = (output.Name, output.Parent!.Name);
        for (var folder = output; folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "Serverless.sln")))
            {
                return System.IO.Path.Combine(folder.FullName, "src", "Training", "bin", configuration, framework, "Recommender.Training.dll");
            }
        }
        throw new InvalidOperationException("Serverless.sln not found above " + AppContext.BaseDirectory);
    }
}
