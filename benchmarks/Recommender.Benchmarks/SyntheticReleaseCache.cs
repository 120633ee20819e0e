using System.Diagnostics;
using System.Globalization;
using Recommender.Model.Data.Synthetic;

namespace Recommender.Benchmarks;

/// <summary>Synthetic releases generated once and kept under the system temp folder, keyed by their options.</summary>
internal static class SyntheticReleaseCache
{
    private const string CompleteMarker = ".complete";

    /// <summary>ML-20M proportions: users scale with the row count, the catalogue stays at 27,278 movies.</summary>
    public static SyntheticDatasetOptions Ml20MShaped(int rows)
    {
        var ml20M = SyntheticDatasetOptions.Ml20MShaped;
        var users = (int)Math.Max(1, Math.Round((double)ml20M.Users * rows / ml20M.Ratings));
        return ml20M with { Ratings = rows, Users = users };
    }

    /// <summary>ML-32M's size (32,000,204 ratings by 200,948 users of 87,585 movies) with ML-20M's power-law shape.</summary>
    public static SyntheticDatasetOptions Ml32MShaped() =>
        SyntheticDatasetOptions.Ml20MShaped with { Ratings = 32_000_204, Users = 200_948, Movies = 87_585 };

    public static string Ensure(SyntheticDatasetOptions options, TextWriter? log = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "recommender-benchmarks", string.Create(CultureInfo.InvariantCulture,
            $"synthetic-u{options.Users}-m{options.Movies}-r{options.Ratings}-s{options.Seed}-pop{options.PopularityExponent}+{options.PopularityOffset}-act{options.ActivitySpread}-min{options.MinRatingsPerUser}"));
        if (File.Exists(Path.Combine(folder, CompleteMarker)))
        {
            log?.WriteLine($"Reusing {folder}");
            return folder;
        }
        log?.WriteLine($"Generating {options.Ratings:N0} ratings by {options.Users:N0} users on {options.Movies:N0} movies into {folder} ...");
        var watch = Stopwatch.StartNew();
        new SyntheticMovieLensGenerator(options).WriteTo(folder);
        File.WriteAllText(Path.Combine(folder, CompleteMarker), DateTimeOffset.UtcNow.ToString("O"));
        log?.WriteLine($"Generated in {watch.Elapsed.TotalSeconds:F1} s");
        return folder;
    }
}
