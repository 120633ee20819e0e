using Recommender.Training.Trainers;

namespace Recommender.Training.Tests.Models;

public sealed class StepSizingTests
{
    private static readonly TrainingOptions Defaults = new();

    [Theory]
    [InlineData(943, 1_682, 90_570)] // ml-100k leave-one-out
    [InlineData(610, 9_724, 99_616)] // ml-latest-small
    public void Data_of_100K_scale_keeps_the_defaults_its_quality_was_measured_with(int users, int movies, long interactions)
    {
        var sizing = StepSizing.For(users, movies, interactions, Defaults, budgetBytes: 16_000_000_000);

        Assert.Equal((64, 16, 2_048), (sizing.UserBatchSize, sizing.SequenceUserBatchSize, sizing.MaxWindowsPerStep));
        Assert.Equal(Defaults with { WorkingSetLimitBytes = sizing.WorkingSetLimitBytes }, sizing.ApplyTo(Defaults));
    }

    [Fact]
    public void ML_20M_gets_about_16_graph_and_64_sequence_steps_an_epoch_when_the_budget_allows()
    {
        var sizing = StepSizing.For(138_493, 27_278, 13_500_000, Defaults, budgetBytes: 24_000_000_000);
        var options = sizing.ApplyTo(Defaults);

        Assert.InRange(138_493 / (double)sizing.UserBatchSize, 15, 17);
        Assert.InRange(138_493 / (double)sizing.SequenceUserBatchSize, 60, 65);
        Assert.InRange(sizing.MaxWindowsPerStep, 6_000, 7_000);
        Assert.InRange(sizing.EstimatedPeakBytes, 12_000_000_000, 0.95 * 24_000_000_000);
        Assert.Equal(sizing.WorkingSetLimitBytes, options.WorkingSetLimitBytes);
        Assert.Equal(sizing.SequenceUserBatchSize, options.LstmUserBatchSize);
        Assert.Equal(StepSizing.GrownGraphRefreshSteps, options.GraphRefreshSteps);
        Assert.DoesNotContain("limited", sizing.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_smaller_budget_gives_smaller_steps_that_fit_it()
    {
        var roomy = StepSizing.For(138_493, 27_278, 13_500_000, Defaults, budgetBytes: 12_000_000_000);
        var tight = StepSizing.For(138_493, 27_278, 13_500_000, Defaults, budgetBytes: 9_000_000_000);

        Assert.True(tight.UserBatchSize < roomy.UserBatchSize, $"{tight} against {roomy}");
        Assert.True(tight.MaxWindowsPerStep < roomy.MaxWindowsPerStep, $"{tight} against {roomy}");
        // The estimate keeps 5% of the budget for its own error (ML-32M's measured peak came out 0.6% above it).
        Assert.InRange(roomy.EstimatedPeakBytes, 1, 0.95 * 12_000_000_000);
        Assert.InRange(tight.EstimatedPeakBytes, 1, 0.95 * 9_000_000_000);
        Assert.Contains("limited by the memory budget", tight.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_budget_too_small_for_any_step_is_refused_with_what_it_needs()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StepSizing.For(138_493, 27_278, 13_500_000, Defaults, budgetBytes: 2_000_000_000));

        Assert.Contains("memory budget of 2.00 GB is too small for 13,500,000 training interactions over 27,278 movies", error.Message, StringComparison.Ordinal);
        Assert.Contains("--memory-budget", error.Message, StringComparison.Ordinal);
    }
}
