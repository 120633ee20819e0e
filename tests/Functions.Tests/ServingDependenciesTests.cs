using System.Reflection;

namespace Recommender.Functions.Tests;

/// <summary>The Function App is a serving shell: nothing it loads pulls in the training stack.</summary>
public class ServingDependenciesTests
{
    private static readonly string[] TrainingStack = ["Recommender.Training", "TorchSharp", "ScottPlot", "SkiaSharp", "Spectre.Console"];

    [Fact]
    public void NoAssemblyTheAppReferences_IsPartOfTheTrainingStack()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>([typeof(FunctionCatalog).Assembly]);
        var reached = new List<string>();
        while (pending.TryPop(out var assembly))
        {
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (!seen.Add(reference.Name!))
                {
                    continue;
                }
                reached.Add(reference.Name!);
                if (reference.Name!.StartsWith("Recommender.", StringComparison.Ordinal))
                {
                    pending.Push(Assembly.Load(reference));
                }
            }
        }

        Assert.Contains("Recommender.Model", reached);
        Assert.DoesNotContain(reached, name => TrainingStack.Any(stack => name.StartsWith(stack, StringComparison.Ordinal)));
    }
}
