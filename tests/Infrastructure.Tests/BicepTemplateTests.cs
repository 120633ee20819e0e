namespace Recommender.Infrastructure.Tests;

[Collection(InfraBuildCollection.Name)]
public class BicepTemplateTests(InfraBuildFixture infra)
{
    public static TheoryData<string> Templates()
    {
        var templates = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.Infra, "*.bicep", SearchOption.AllDirectories).Order())
        {
            templates.Add(Path.GetRelativePath(RepositoryPaths.Infra, file));
        }
        return templates;
    }

    [Fact]
    public void EveryTemplateLintsWithoutAnyDiagnostic()
    {
        Assert.True(infra.Lint.ExitCode == 0 && infra.Lint.Diagnostics == "", infra.Lint.ToString());
    }

    [Fact]
    public void EveryTemplateBuildsWithoutAnyDiagnostic()
    {
        Assert.True(infra.Build.ExitCode == 0 && infra.Build.Diagnostics == "", infra.Build.ToString());
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void TemplateCompiledToArmJson(string template)
    {
        var compiled = Path.Combine(infra.BuildOutput, Path.ChangeExtension(template, ".json"));
        Assert.True(File.Exists(compiled), $"infra/{template} produced no {compiled}: {infra.Build}");
    }

    [Theory]
    [MemberData(nameof(ProbedRules))]
    public void BicepConfigRaisesTheRuleToAnError(string rule)
    {
        Assert.NotEqual(0, infra.ProbeLint.ExitCode);
        Assert.Contains($"Error {rule}:", infra.ProbeLint.Diagnostics);
    }

    public static TheoryData<string> ProbedRules() => new(InfraBuildFixture.ProbedRules);

    [Fact]
    public void ParametersFileNamesOnlyParametersOfMainBicep()
    {
        using var parametersFile = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Infra, "main.parameters.json")));
        var declared = infra.Main.ParameterNames();
        var unknown = parametersFile.RootElement.GetProperty("parameters").EnumerateObject()
            .Select(parameter => parameter.Name).Where(name => !declared.Contains(name)).ToList();
        Assert.True(unknown.Count == 0, "main.parameters.json sets parameters main.bicep does not declare: " + string.Join(", ", unknown));
    }

    [Fact]
    public void NoTemplateReferencesARegistryModule()
    {
        // Registry modules (br:, ts:) need the network to restore; every module here is a local file.
        var remote = Directory.EnumerateFiles(RepositoryPaths.Infra, "*.bicep", SearchOption.AllDirectories)
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, number: index + 1)))
            .Where(entry => entry.line.TrimStart().StartsWith("module ", StringComparison.Ordinal)
                && (entry.line.Contains("'br:", StringComparison.Ordinal) || entry.line.Contains("'br/", StringComparison.Ordinal)
                    || entry.line.Contains("'ts:", StringComparison.Ordinal) || entry.line.Contains("'ts/", StringComparison.Ordinal)))
            .Select(entry => $"{Path.GetRelativePath(RepositoryPaths.Root, entry.file)}:{entry.number}: {entry.line.Trim()}")
            .ToList();
        Assert.True(remote.Count == 0, "registry module references: " + string.Join("; ", remote));
    }
}
