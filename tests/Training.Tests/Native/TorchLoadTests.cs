using Recommender.Training.Native;
using TorchSharp;

namespace Recommender.Training.Tests.Native;

[Collection(Recommender.Training.Tests.Models.TorchCollection.Name)]
public sealed class TorchLoadTests
{
    [Fact]
    public void Torch_loads_after_the_fix_and_multiplies_matrices()
    {
        var checkedFiles = TorchSharpNativeFix.EnsureTorchLoadable();
        if (OperatingSystem.IsLinux())
        {
            Assert.NotEmpty(checkedFiles);
        }

        using var left = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        using var right = torch.tensor(new float[] { 7, 8, 9, 10, 11, 12 }, [3, 2]);
        using var product = torch.matmul(left, right);

        Assert.Equal([2L, 2L], product.shape);
        Assert.Equal([58f, 64f, 139f, 154f], product.data<float>().ToArray());
        var torchSharpFolder = Path.GetDirectoryName(typeof(torch).Assembly.Location)!;
        Assert.False(Directory.Exists(Path.Combine(torchSharpFolder, "cpu")), "TorchSharp fell back to consolidating native files.");
    }
}
