using System.Text.Json.Nodes;

namespace Recommender.Infrastructure.Tests;

/// <summary>
/// Lints and builds every template under infra/ once for all tests (each bicep start costs seconds), and lints a probe
/// file that breaks rules under a copy of bicepconfig.json.
/// </summary>
public sealed class InfraBuildFixture : IAsyncLifetime
{
    /// <summary>Violates rules bicepconfig.json raises to errors; each must be reported as an error.</summary>
    public static readonly IReadOnlyList<string> ProbedRules =
        ["no-unused-params", "no-unused-vars", "no-hardcoded-env-urls", "secure-parameter-default"];

    private const string ProbeTemplate = """
        @secure()
        param adminPassword string = 'not-a-secret'
        var resourceManagerUrl = 'https://management.azure.com/'
        """;

    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "infra-tests-" + Guid.NewGuid().ToString("N"));

    internal BicepRun Lint { get; private set; } = null!;
    internal BicepRun Build { get; private set; } = null!;
    internal BicepRun ProbeLint { get; private set; } = null!;
    internal string BuildOutput => Path.Combine(_scratch, "build");
    private CompiledTemplate? _main;

    /// <summary>infra/main.bicep compiled to ARM JSON, modules inlined.</summary>
    internal CompiledTemplate Main => _main ?? throw new InvalidOperationException("main.json was not built: " + Build);

    public async Task InitializeAsync()
    {
        var probeFolder = Path.Combine(_scratch, "probe");
        Directory.CreateDirectory(probeFolder);
        File.Copy(Path.Combine(RepositoryPaths.Root, "bicepconfig.json"), Path.Combine(probeFolder, "bicepconfig.json"));
        File.WriteAllText(Path.Combine(probeFolder, "probe.bicep"), ProbeTemplate);

        const string pattern = "infra/**/*.bicep";
        var lint = BicepCli.RunAsync(RepositoryPaths.Root, "lint", "--no-restore", "--pattern", pattern);
        var build = BicepCli.RunAsync(RepositoryPaths.Root, "build", "--no-restore", "--pattern", pattern, "--outdir", BuildOutput);
        var probe = BicepCli.RunAsync(probeFolder, "lint", "--no-restore", "probe.bicep");
        Lint = await lint;
        Build = await build;
        ProbeLint = await probe;

        var mainJson = Path.Combine(BuildOutput, "main.json");
        if (File.Exists(mainJson))
        {
            _main = new CompiledTemplate(JsonNode.Parse(File.ReadAllText(mainJson))!.AsObject());
        }
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class InfraBuildCollection : ICollectionFixture<InfraBuildFixture>
{
    public const string Name = "infra build";
}
