using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Recommender.Infrastructure.Tests;

/// <summary>
/// infra/training.Dockerfile read as text (no Docker build here: it needs the network): its steps must name the
/// repository's real files and the training CLI's assembly.
/// </summary>
public partial class TrainingImageTests
{
    private const string TrainingProject = "src/Training/Recommender.Training.csproj";

    private static readonly IReadOnlyList<DockerInstruction> Instructions = DockerInstruction.Parse(RepositoryPaths.TrainingDockerfile);

    [Fact]
    public void BuildsOnTheSdkAndRunsOnTheRuntimeImage()
    {
        var stages = Instructions.Where(instruction => instruction.Keyword == "FROM").Select(instruction => instruction.Arguments).ToList();
        Assert.Equal(["mcr.microsoft.com/dotnet/sdk:10.0 AS build", "mcr.microsoft.com/dotnet/runtime:10.0"], stages);
    }

    [Fact]
    public void EveryCopiedPathExists()
    {
        var sources = CopySources(Instructions).ToList();
        Assert.NotEmpty(sources);
        var missing = sources.Where(source => !File.Exists(InRepository(source)) && !Directory.Exists(InRepository(source))).ToList();
        Assert.True(missing.Count == 0, "COPY names paths the repository does not have: " + string.Join(", ", missing));
    }

    [Fact]
    public void RestoresAndPublishesTheTrainingProject()
    {
        var runs = Instructions.Where(instruction => instruction.Keyword == "RUN").Select(instruction => instruction.Arguments).ToList();
        Assert.Contains($"dotnet restore {TrainingProject}", runs);
        Assert.Contains(runs, run => run.StartsWith($"dotnet publish {TrainingProject} -c Release", StringComparison.Ordinal));
        Assert.True(File.Exists(InRepository(TrainingProject)));
    }

    [Fact]
    public void CopiesEveryProjectAndImportTheRestoreNeedsBeforeRestoring()
    {
        var restoreIndex = Instructions.ToList().FindIndex(instruction =>
            instruction.Keyword == "RUN" && instruction.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal));
        Assert.True(restoreIndex > 0, "no RUN dotnet restore step");
        var copiedBeforeRestore = CopySources(Instructions.Take(restoreIndex)).Select(Normalize).ToHashSet(StringComparer.Ordinal);

        var needed = new List<string> { "global.json", "Directory.Build.props", "Directory.Packages.props" };
        needed.AddRange(ProjectClosure(TrainingProject).SelectMany(project => ImportsAndSelf(project)));
        var missing = needed.Select(Normalize).Where(path => !copiedBeforeRestore.Contains(path)).ToList();
        Assert.True(missing.Count == 0, "copied only after `dotnet restore` or never: " + string.Join(", ", missing));
    }

    [Fact]
    public void RunsTheTrainingAssemblyAsANonRootUser()
    {
        var entryPoint = Assert.Single(Instructions, instruction => instruction.Keyword == "ENTRYPOINT");
        var assemblyName = XDocument.Load(InRepository(TrainingProject)).Descendants("AssemblyName").Single().Value;
        Assert.Equal($"[\"dotnet\", \"{assemblyName}.dll\"]", entryPoint.Arguments);

        var user = Instructions.Last(instruction => instruction.Keyword == "USER").Arguments;
        Assert.DoesNotContain(user, new[] { "root", "0" });
        Assert.True(Instructions.ToList().IndexOf(Instructions.Last(instruction => instruction.Keyword == "FROM"))
            < Instructions.ToList().FindLastIndex(instruction => instruction.Keyword == "USER"), "USER must be set in the runtime stage");
    }

    [Fact]
    public void DockerIgnoreKeepsTheSourcesInTheContext()
    {
        var patterns = File.ReadLines(Path.Combine(RepositoryPaths.Root, ".dockerignore"))
            .Select(line => line.Trim()).Where(line => line != "" && !line.StartsWith('#')).ToList();
        Assert.Contains("**/bin/", patterns);
        Assert.Contains("**/obj/", patterns);
        foreach (var needed in new[] { "src", "src/", "src/Training", "src/Model", "Directory.Build.props", "Directory.Packages.props", "global.json", "*" })
        {
            Assert.DoesNotContain(needed, patterns);
        }
    }

    [Fact]
    public void AzureYamlDeploysTheFunctionsProjectWithTheBicep()
    {
        var yaml = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "azure.yaml"));
        var project = AzureYamlValue().Matches(yaml).Where(match => match.Groups["key"].Value == "project").Select(match => match.Groups["value"].Value).Single();
        var functionsProject = Directory.GetFiles(InRepository(project), "*.csproj").Single();
        Assert.Contains("<AzureFunctionsVersion>v4</AzureFunctionsVersion>", File.ReadAllText(functionsProject));
        Assert.Matches(@"(?m)^\s+host: function$", yaml);
        Assert.Matches(@"(?m)^\s+language: dotnet$", yaml);
        var infraPath = AzureYamlValue().Matches(yaml).Single(match => match.Groups["key"].Value == "path").Groups["value"].Value;
        Assert.True(File.Exists(Path.Combine(InRepository(infraPath), "main.bicep")), $"azure.yaml infra path {infraPath} has no main.bicep");
    }

    private static IEnumerable<string> CopySources(IEnumerable<DockerInstruction> instructions) =>
        instructions.Where(instruction => instruction.Keyword == "COPY" && !instruction.Arguments.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(instruction =>
            {
                var words = instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return words[..^1];
            });

    /// <summary>The training project and every project it references, transitively, as repository-relative paths.</summary>
    private static IEnumerable<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Normalize(project)]);
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(current))
            {
                continue;
            }
            var folder = Path.GetDirectoryName(InRepository(current))!;
            foreach (var reference in XDocument.Load(InRepository(current)).Descendants("ProjectReference"))
            {
                var path = Path.GetFullPath(Path.Combine(folder, reference.Attribute("Include")!.Value.Replace('\\', '/')));
                pending.Push(Normalize(Path.GetRelativePath(RepositoryPaths.Root, path)));
            }
        }
        return seen;
    }

    private static IEnumerable<string> ImportsAndSelf(string project)
    {
        yield return project;
        var folder = Path.GetDirectoryName(InRepository(project))!;
        foreach (var import in XDocument.Load(InRepository(project)).Descendants("Import"))
        {
            var path = Path.GetFullPath(Path.Combine(folder, import.Attribute("Project")!.Value.Replace('\\', '/')));
            yield return Path.GetRelativePath(RepositoryPaths.Root, path);
        }
    }

    private static string InRepository(string relative) => Path.Combine(RepositoryPaths.Root, relative.TrimEnd('/'));

    private static string Normalize(string relative) => relative.Replace('\\', '/').TrimStart('.', '/');

    [GeneratedRegex(@"(?m)^\s*(?<key>project|path):\s*(?<value>\S+)\s*$")]
    private static partial Regex AzureYamlValue();
}

/// <summary>One Dockerfile instruction with its continuation lines joined; comments dropped.</summary>
internal sealed record DockerInstruction(string Keyword, string Arguments, int Line)
{
    public static IReadOnlyList<DockerInstruction> Parse(string path)
    {
        var instructions = new List<DockerInstruction>();
        var lines = File.ReadAllLines(path);
        for (var index = 0; index < lines.Length; index++)
        {
            var line = lines[index].Trim();
            if (line == "" || line.StartsWith('#'))
            {
                continue;
            }
            var start = index + 1;
            while (line.EndsWith('\\') && index + 1 < lines.Length)
            {
                line = line[..^1].TrimEnd() + " " + lines[++index].Trim();
            }
            var space = line.IndexOf(' ');
            if (space < 0)
            {
                throw new InvalidDataException($"{path}:{start}: instruction without arguments: '{line}'");
            }
            instructions.Add(new DockerInstruction(line[..space].ToUpperInvariant(), line[(space + 1)..].Trim(), start));
        }
        return instructions;
    }
}
