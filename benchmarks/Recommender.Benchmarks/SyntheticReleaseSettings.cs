using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Recommender.Benchmarks;

/// <summary>The synthetic ML-20M-shaped release a benchmark runs on, and its thread count.</summary>
internal abstract class SyntheticReleaseSettings : CommandSettings
{
    [CommandOption("--rows <N>")]
    [Description("Ratings in the synthetic release (ML-20M has 20,000,263).")]
    [DefaultValue(20_000_263)]
    public int Rows { get; init; } = 20_000_263;

    [CommandOption("--threads <T>")]
    [Description("Threads (default: the processor count).")]
    public int? ThreadCount { get; init; }

    [CommandOption("--seed <S>")]
    [Description("Seed of the release and of the run.")]
    [DefaultValue(42)]
    public int Seed { get; init; } = 42;

    public int Threads => ThreadCount ?? Environment.ProcessorCount;

    public override ValidationResult Validate()
    {
        if (Rows < 1)
        {
            return ValidationResult.Error($"Option '--rows' must be at least 1, got {Rows}.");
        }
        return Threads < 1 ? ValidationResult.Error($"Option '--threads' must be at least 1, got {Threads}.") : ValidationResult.Success();
    }
}
