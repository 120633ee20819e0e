using Recommender.Training.Cli;

namespace Recommender.Training.Tests.Cli;

public sealed class MemorySizeTests
{
    [Theory]
    [InlineData("12GB", 12_000_000_000L)]
    [InlineData("12 GiB", 12L * 1024 * 1024 * 1024)]
    [InlineData("1.5gb", 1_500_000_000L)]
    [InlineData("800MB", 800_000_000L)]
    [InlineData("2TiB", 2L * 1024 * 1024 * 1024 * 1024)]
    [InlineData("4096", 4096L)]
    public void Sizes_in_decimal_and_binary_units_are_read_in_bytes(string text, long bytes)
    {
        Assert.True(MemorySize.TryParse(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("GB")]
    [InlineData("-1GB")]
    [InlineData("0.1B")]
    [InlineData("12 PB")]
    [InlineData("12GB extra")]
    public void Anything_else_is_refused(string text) => Assert.False(MemorySize.TryParse(text, out _));
}
