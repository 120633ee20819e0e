using System.ComponentModel;
using Recommender.Model.Evaluation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Recommender.Training.Cli;

/// <summary>
/// The data, protocol and split options shared by <c>evaluate</c> and <c>train</c>. The protocol options have no
/// default here (their protocol's default applies) so that one given for another protocol can be refused.
/// </summary>
internal abstract class SplitSettings : DatasetSettings
{
    public const string ProtocolNames = $"{SplitProtocols.Stratified}, {SplitProtocols.LeaveOneOut}, {SplitProtocols.Temporal}, {SplitProtocols.Session}";

    public abstract string Protocol { get; init; }

    /// <summary>The comma-separated --models value.</summary>
    public abstract string Models { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed of the split and of model training.")]
    [DefaultValue(42)]
    public int Seed { get; init; } = 42;

    [CommandOption("-k|--top-k <N>")]
    [Description("Length of the ranked lists the metrics are computed on.")]
    [DefaultValue(10)]
    public int K { get; init; } = 10;

    [CommandOption("--stratify-by <BY>")]
    [Description("stratified: split 75/25 within each user or each movie: user or item (default: user).")]
    public string? StratifyBy { get; init; }

    [CommandOption("--min-rating <RATING>")]
    [Description("leave-one-out: drop interactions rated below this before splitting.")]
    public float? MinRating { get; init; }

    [CommandOption("--k-core <N>")]
    [Description("leave-one-out: iteratively drop users and movies with fewer than n interactions (default: 0).")]
    public int? KCore { get; init; }

    [CommandOption("--cut <CUT>")]
    [Description("temporal: train before this quantile of all timestamps or ISO 8601 instant (default: 0.9).")]
    public string? Cut { get; init; }

    /// <summary>The --models list: trimmed, without empty entries.</summary>
    public IReadOnlyList<string> ModelNames => Models.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    public SplitDefinition Split => new()
    {
        Protocol = Protocol,
        Seed = Seed,
        K = K,
        SkipBadRows = SkipBadRows,
        StratifyBy = StratifyBy switch
        {
            null => null,
            "item" => Model.Evaluation.StratifyBy.Item,
            _ => Model.Evaluation.StratifyBy.User,
        },
        MinRating = MinRating,
        KCore = KCore,
        Cut = Cut,
    };

    public override ValidationResult Validate()
    {
        if (!SplitProtocols.IsKnown(Protocol))
        {
            return ValidationResult.Error($"Unknown protocol '{Protocol}'. Valid protocols: {ProtocolNames}.");
        }
        var misplaced = new (string Option, bool Given, string Owner)[]
        {
            ("--stratify-by", StratifyBy is not null, SplitProtocols.Stratified),
            ("--min-rating", MinRating is not null, SplitProtocols.LeaveOneOut),
            ("--k-core", KCore is not null, SplitProtocols.LeaveOneOut),
            ("--cut", Cut is not null, SplitProtocols.Temporal),
        }.FirstOrDefault(option => option.Given && option.Owner != Protocol);
        if (misplaced.Option is not null)
        {
            return ValidationResult.Error($"Option '{misplaced.Option}' applies only to --protocol {misplaced.Owner}, not {Protocol}.");
        }
        if (StratifyBy is not (null or "user" or "item"))
        {
            return ValidationResult.Error($"Option '--stratify-by' expects 'user' or 'item', got '{StratifyBy}'.");
        }
        if (K < 1)
        {
            return ValidationResult.Error($"Option '-k' must be at least 1, got {K}.");
        }
        if (KCore < 0)
        {
            return ValidationResult.Error($"Option '--k-core' must be at least 0, got {KCore}.");
        }
        if (MinRating is { } minRating && !float.IsFinite(minRating))
        {
            return ValidationResult.Error($"Option '--min-rating' expects a finite number, got {minRating}.");
        }
        if (Cut is not null)
        {
            try
            {
                TemporalCut.Parse(Cut);
            }
            catch (Exception exception) when (exception is FormatException or ArgumentOutOfRangeException)
            {
                return ValidationResult.Error($"Option '--cut': {exception.Message}");
            }
        }
        return ValidationResult.Success();
    }

    /// <summary>The --models list checked against <paramref name="validNames"/>: not empty, known names, no repeats.</summary>
    public ValidationResult ValidateModelNames(IReadOnlyList<string> validNames)
    {
        if (ModelNames.Count == 0)
        {
            return ValidationResult.Error("Option '--models' lists no model.");
        }
        if (ModelNames.FirstOrDefault(name => !validNames.Contains(name)) is { } unknown)
        {
            return ValidationResult.Error($"Unknown model '{unknown}'. Valid models: {string.Join(", ", validNames)}.");
        }
        if (ModelNames.GroupBy(name => name, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1) is { } repeated)
        {
            return ValidationResult.Error($"Model '{repeated.Key}' is listed more than once in --models.");
        }
        return ValidationResult.Success();
    }
}
