namespace Recommender.Infrastructure.Tests;

internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Infra => Path.Combine(Root, "infra");

    public static string BicepCli => Path.Combine(Root, "tools", "bicep", "bicep");

    public static string LocalSettingsSample => Path.Combine(Root, "src", "Functions", "local.settings.sample.json");

    public static string TrainingDockerfile => Path.Combine(Root, "infra", "training.Dockerfile");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Serverless.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Serverless.sln not found above " + AppContext.BaseDirectory);
    }
}
