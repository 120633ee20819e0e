using System.Text.Json.Nodes;

namespace Recommender.Infrastructure.Tests;

/// <summary>The identities get data-plane and job roles only, never a role that manages resources.</summary>
[Collection(InfraBuildCollection.Name)]
public class AccessTests(InfraBuildFixture infra)
{
    private static readonly IReadOnlyDictionary<string, string> BroadRoles = new Dictionary<string, string>
    {
        ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635"] = "Owner",
        ["b24988ac-6180-42a0-ab88-20f7382dd24c"] = "Contributor",
        ["18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"] = "User Access Administrator",
        ["17d1049b-9a84-46fb-8f53-869881c3d3ab"] = "Storage Account Contributor",
    };

    [Fact]
    public void NoTemplateAssignsARoleThatManagesResources()
    {
        var compiled = File.ReadAllText(Path.Combine(infra.BuildOutput, "main.json"));
        foreach (var (id, name) in BroadRoles)
        {
            Assert.False(compiled.Contains(id, StringComparison.OrdinalIgnoreCase), $"main.json assigns {name} ({id})");
        }
    }

    [Fact]
    public void JobStarterRoleReadsAndStartsJobsOnlyAndIsAssignedOnTheJob()
    {
        var role = infra.Main.Resource("access", "Microsoft.Authorization/roleDefinitions");
        var permissions = Assert.Single(role["properties"]?["permissions"]?.AsArray() ?? []);
        var actions = permissions?["actions"]?.AsArray().Select(action => (string?)action).ToList() ?? [];
        Assert.Equal(
            ["Microsoft.App/jobs/execution/read", "Microsoft.App/jobs/executions/read", "Microsoft.App/jobs/read", "Microsoft.App/jobs/start/action"],
            actions.Order(StringComparer.Ordinal));
        Assert.Empty(permissions?["dataActions"]?.AsArray() ?? []);

        var assignment = infra.Main.Resources("access", "Microsoft.Authorization/roleAssignments")
            .Single(candidate => ((string?)candidate["properties"]?["roleDefinitionId"])?.Contains("Microsoft.Authorization/roleDefinitions', guid(", StringComparison.Ordinal) == true);
        Assert.Contains("Microsoft.App/jobs", (string?)assignment["scope"]);
    }

    /// <summary>
    /// The user events: the app holds Storage Table Data Contributor and the training job Storage Table Data Reader,
    /// each on the one storage account (creating the table is an account-level data action), and nobody else a table role.
    /// </summary>
    [Theory]
    [InlineData("storageTableDataContributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "appIdentityName")]
    [InlineData("storageTableDataReader", "76199698-9eea-4c19-bc75-cec21354c6b6", "trainingIdentityName")]
    public void TableRolesAreLeastPrivilege_OnTheStorageAccount(string role, string roleId, string identityParameter)
    {
        var compiled = File.ReadAllText(Path.Combine(infra.BuildOutput, "main.json"));
        Assert.Contains(roleId, compiled, StringComparison.OrdinalIgnoreCase);
        var assignments = infra.Main.Resources("access", "Microsoft.Authorization/roleAssignments")
            .Where(candidate => ((string?)candidate["properties"]?["roleDefinitionId"])?.Contains("storageTable", StringComparison.Ordinal) == true)
            .ToList();
        Assert.Equal(2, assignments.Count);

        var assignment = Assert.Single(assignments, candidate => ((string?)candidate["properties"]?["roleDefinitionId"])!.Contains($".{role})", StringComparison.Ordinal));
        var scope = (string?)assignment["scope"];
        Assert.Contains("Microsoft.Storage/storageAccounts", scope);
        Assert.DoesNotContain("blobServices", scope);
        Assert.Contains($"parameters('{identityParameter}')", (string?)assignment["properties"]?["principalId"]);
    }
}
