using System.Text.Json;

namespace Recommender.Functions.Tests;

public class HostConfigurationTests
{
    [Fact]
    public void HostJsonInTheOutputIsTheRepositoryRootFile()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "host.json");
        Assert.True(File.Exists(shipped), $"host.json is missing from {AppContext.BaseDirectory}");

        var root = FindRepositoryRoot();
        Assert.Equal(File.ReadAllText(Path.Combine(root, "host.json")), File.ReadAllText(shipped));

        using var document = JsonDocument.Parse(File.ReadAllText(shipped));
        Assert.Equal("2.0", document.RootElement.GetProperty("version").GetString());
    }

    private static string FindRepositoryRoot()
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
