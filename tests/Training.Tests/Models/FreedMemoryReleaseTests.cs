using Recommender.Training.Trainers;

namespace Recommender.Training.Tests.Models;

public sealed class FreedMemoryReleaseTests
{
    [Fact]
    public void Freed_memory_is_handed_back_when_the_next_step_could_pass_the_limit()
    {
        // Working set after each step; after a release it reads 30.
        long[] afterSteps = [40, 60, 85, 70, 80, 50];
        var step = 0;
        var releasedAfter = new List<int>();
        long current = 0;
        var release = new FreedMemoryRelease(100, () => current, () =>
        {
            releasedAfter.Add(step);
            current = 30;
        });

        for (step = 1; step <= afterSteps.Length; step++)
        {
            current = afterSteps[step - 1];
            release.AfterStep();
        }

        // Step 3: 85 + the largest growth so far (25) passes 100. Step 4 refaults after the release (30 → 70), which is
        // not growth, so 70 + 25 stays under; counted, 70 + 40 would have released. Step 5: 80 + 25 passes.
        Assert.Equal([3, 5], releasedAfter);
    }

    [Fact]
    public void An_epoch_ending_above_half_the_limit_releases_and_the_next_step_is_not_counted_as_growth()
    {
        long current = 90;
        var releases = 0;
        var release = new FreedMemoryRelease(100, () => current, () =>
        {
            releases++;
            current = 20;
        });

        release.AfterStep();
        release.AfterEpoch();
        current = 95;
        release.AfterStep();

        // The step after the epoch's release refaults (20 → 95): counted as growth, 95 + 75 would have released again.
        Assert.Equal(1, releases);
    }

    [Fact]
    public void An_epoch_ending_under_half_the_limit_keeps_its_memory()
    {
        long current = 40;
        var releases = 0;
        var release = new FreedMemoryRelease(100, () => current, () => releases++);

        release.AfterStep();
        release.AfterEpoch();

        Assert.Equal(0, releases);
    }
}
