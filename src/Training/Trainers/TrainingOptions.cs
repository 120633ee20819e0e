using Recommender.Training.Models;

namespace Recommender.Training.Trainers;

/// <summary>Ranking loss. <see cref="Auto"/> picks per model and catalogue size (see <see cref="TrainingOptions"/>).</summary>
public enum RankingLoss
{
    Auto,

    /// <summary>Cross-entropy over the whole catalogue.</summary>
    Softmax,

    /// <summary>Cross-entropy over the target and negatives drawn by popularity, with logQ correction.</summary>
    SampledSoftmax,

    /// <summary>Bayesian personalised ranking against one uniformly drawn negative per positive.</summary>
    Bpr,
}

/// <summary>
/// Hyper-parameters of every model. The defaults were chosen by measurement on ml-100k (per-user 75/25 and
/// leave-one-out) for gcn-lstm; the baselines use the same values where they apply.
/// </summary>
public sealed record TrainingOptions
{
    public int Seed { get; init; } = 42;

    /// <summary>"auto" (CUDA when TorchSharp reports it, else CPU), "cpu" or "cuda".</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Torch intra-op threads; null means <see cref="Environment.ProcessorCount"/>.</summary>
    public int? Threads { get; init; }

    // Embeddings and graph.
    public int Dim { get; init; } = 64;
    /// <summary>LightGCN by measurement (ml-100k 75/25 ndcg@10: lightgcn 0.461, sage 0.420).</summary>
    public GraphConvolution Convolution { get; init; } = GraphConvolution.LightGcn;
    public int GraphLayers { get; init; } = 2;

    /// <summary>Interactions with a rating below this are not graph edges; null keeps every interaction.</summary>
    public float? MinEdgeRating { get; init; }

    /// <summary>Weight each edge by its rating (before normalisation) instead of 1.</summary>
    public bool WeightEdgesByRating { get; init; }
    /// <summary>Graph models: the final tables propagate over the training and the validation interactions.</summary>
    public bool ValidationEdgesInFinalGraph { get; init; } = true;

    public bool UseGenres { get; init; } = true;
    public bool UseTags { get; init; } = true;
    public bool UseDemographics { get; init; } = true;

    /// <summary>Tags used by fewer movies than this are left out of the tag vocabulary.</summary>
    public int MinTagMovies { get; init; } = 2;

    /// <summary>Standard deviation of the initial id embeddings.</summary>
    public double EmbeddingInitStd { get; init; } = 0.1;

    // Sequence encoder.
    public int Hidden { get; init; } = 64;
    public int LstmLayers { get; init; } = 1;
    public double LstmDropout { get; init; } = 0.2;

    /// <summary>Maximum history length L: the most recent L training interactions, oldest first.</summary>
    public int MaxHistory { get; init; } = 50;

    /// <summary>Probability of dropping a history item (zeroing its embedding) in the LSTM input (training only).</summary>
    public double InputDropout { get; init; } = 0.2;

    /// <summary>Weight of the next-movie loss of the sequence models (every step of every window).</summary>
    public double NextItemLossWeight { get; init; } = 1.0;

    /// <summary>
    /// Weight of the history loss of the sequence models: at the last step of each user's most recent window, the
    /// user vector must predict the user's training movies that the window does not show (outside it, or dropped),
    /// by softmax over the catalogue averaged over those movies. Off by default: it trains the last step, the one
    /// inference reads, away from predicting what comes next (measured on ml-100k leave-one-out: hr@10 0.138 with
    /// weight 1, 0.203 without).
    /// </summary>
    public double HistoryLossWeight { get; init; }

    /// <summary>
    /// Weight of the graph loss of gcn-lstm: the graph user vector g alone must predict all of the user's training
    /// movies (as LightGCN does), so that g is a good user vector by itself (known users without history use it).
    /// </summary>
    public double GraphLossWeight { get; init; } = 1.0;

    /// <summary>
    /// Initial bias of the fusion gate on the graph's columns (its negation on the <see cref="SequenceDim"/> columns).
    /// sigmoid(3) ≈ 0.95: the fused vector starts as (almost) the warmed-up graph vector on the graph's columns and
    /// the sequence vector on the sequence part's own, and the gate moves from there as far as training takes it.
    /// </summary>
    public double GateBiasInit { get; init; } = 3.0;

    /// <summary>
    /// gcn-lstm: the share of the movie table's Dim columns that belong to the sequence part (rounded): E's last
    /// columns are then a movie table of its own (id embeddings, not propagated over the graph, trained at the full
    /// learning rate), and the graph part fills the first columns (its user vectors g are zero in the rest). The
    /// LightGCN-smoothed graph columns cannot tell a movie's arbitrary successor from the movies like it; the sequence
    /// columns can. 0 is the seed design (every column shared). Leave-one-out, ndcg@10 / hr@10, share 0 → 0.5 with 16
    /// users a step: ml-100k with planted sequels (24%, seed 13) 0.043 / 0.087 → 0.132 / 0.195; ml-latest-small seeds
    /// 13 / 42 / 7 ndcg@10 0.050 / 0.044 / 0.048 → 0.054 / 0.047 / 0.051; ml-100k within seed noise; stratified
    /// ml-100k seed 42 unchanged (README, "The sequence signal").
    /// </summary>
    public double SequenceDimShare { get; init; } = 0.5;

    /// <summary>The sequence part's columns of E for a gcn-lstm of <see cref="Dim"/>: round(Dim × share).</summary>
    internal int SequenceDim => (int)Math.Round(Dim * SequenceDimShare, MidpointRounding.AwayFromZero);

    /// <summary>
    /// Sequence models: a learned first-order transition table T (a free vector per movie, starting at zero) adds
    /// T[the history's last movie] to the user vector, so that u · E[i] gains a "what follows that movie" term, as in
    /// FPMC (Rendle et al. 2010). The LSTM's state mixes the whole window and the movie table is shared with the graph
    /// and the scores, so neither can hold an arbitrary successor per movie as a Markov chain does.
    /// </summary>
    public bool Transitions { get; init; } = true;

    /// <summary>
    /// Probability of leaving out a position's transition row in training (inverted dropout). Without it T memorises
    /// the training transitions and the LSTM learns less (leave-one-out seed 13, gcn-lstm ndcg@10, no T → T → T with
    /// dropout 0.5: ml-100k 0.102 → 0.089 → 0.099, ml-latest-small 0.045 → 0.048 → 0.056; an L2 penalty on the rows
    /// used, or T on the sequence columns only, did worse on ml-100k).
    /// </summary>
    public double TransitionDropout { get; init; } = 0.5;

    /// <summary>
    /// Share of training sequences trained as sessions: their graph part is a (or the fold-in, see
    /// <see cref="SessionFoldIn"/>), not g. 0.3 served sessions about as well but cost known users on ml-latest-small
    /// (leave-one-out seed 13, ndcg@10 0.039 against 0.045 at 0.1).
    /// </summary>
    public double AnonymousRate { get; init; } = 0.1;

    /// <summary>
    /// gcn-lstm: a session (a user outside the graph) gets as graph part a + the mean of E over the movies the LSTM
    /// reads, a fold-in of the history into the graph's space, instead of the constant a; in training, so do the
    /// <see cref="AnonymousRate"/> share of windows, at every step over the movies up to it.
    /// </summary>
    public bool SessionFoldIn { get; init; } = true;

    // Losses.
    public RankingLoss Loss { get; init; } = RankingLoss.Auto;

    /// <summary>
    /// Under <see cref="RankingLoss.Auto"/>, the next-movie loss uses the full softmax up to this many items and the
    /// sampled softmax above (on ml-100k, 1682 items, 512 sampled negatives matched the full softmax and ran faster).
    /// The per-user graph loss always uses the full catalogue.
    /// </summary>
    public int FullSoftmaxMaxItems { get; init; } = 1000;

    /// <summary>Negatives per step for the sampled softmax (shared by the batch).</summary>
    public int SampledNegatives { get; init; } = 512;

    /// <summary>Popularity exponent of the sampled-softmax proposal (count^alpha).</summary>
    public double NegativeSamplingExponent { get; init; } = 0.75;

    /// <summary>Weight of the rating loss (mean squared error) added to the ranking loss; 0 trains no rating head.</summary>
    public double RatingLossWeight { get; init; } = 0.1;

    /// <summary>Size of the rating head's interaction space.</summary>
    public int RatingDim { get; init; } = 16;

    // Optimisation.
    public double LearningRate { get; init; } = 5e-3;
    /// <summary>Adam's (coupled) weight decay; off: 1e-4 lowered lightgcn's ml-100k ndcg@10 from 0.463 to 0.412.</summary>
    public double WeightDecay { get; init; } = 0;

    /// <summary>bpr: L2 penalty on the id rows of a step's users, positives and negatives, divided by 2 × batch size.</summary>
    public double EmbeddingL2 { get; init; } = 0;

    /// <summary>(user, movie) pairs per step (BPR).</summary>
    public int PairBatchSize { get; init; } = 2048;

    /// <summary>Users per step (all models but bpr); a step covers all of these users' training interactions.</summary>
    public int UserBatchSize { get; init; } = 64;

    /// <summary>
    /// Users per step while a sequence part trains (lstm, and gcn-lstm's joint stage); null: <see cref="UserBatchSize"/>.
    /// The LSTM learns by steps, not by passes: at 64 users ml-100k gives 15 steps an epoch, and on planted sequels the
    /// LSTM was still improving when the epoch cap ended it (lstm alone, ml-100k leave-one-out seed 13: ndcg@10 0.066
    /// at 64, 0.087 at 16, where the Markov chain scores 0.065). Large data sets set it with UserBatchSize.
    /// </summary>
    public int? SequenceUserBatchSize { get; init; } = 16;

    /// <summary>
    /// Users per step of the lstm model alone, which has no warmed-up graph to start from; null:
    /// <see cref="SequenceUserBatchSize"/>. With the transition table, leave-one-out seed 13, ndcg@10 at 16 → 8: lstm
    /// ml-100k 0.078 → 0.084, ml-latest-small 0.037 → 0.050 (the Markov chain 0.065, 0.047); gcn-lstm's joint stage
    /// at 8 scored lower (ml-100k 0.099 → 0.092, ml-latest-small 0.056 → 0.053) and took 210 s on ml-100k.
    /// </summary>
    public int? LstmUserBatchSize { get; init; } = 8;

    /// <summary>
    /// Sequence models: most history windows (each up to L steps) per step; a step closes early rather than pass it,
    /// which bounds a step's memory whatever the users' history lengths (large data sets raise UserBatchSize for
    /// throughput and keep this bound).
    /// </summary>
    public int MaxWindowsPerStep { get; init; } = 2048;

    /// <summary>
    /// The working set the steps keep under by handing memory that freed tensors left in the C allocator back to the
    /// system (<see cref="FreedMemoryRelease"/>). Null: no limit. <see cref="StepSizing"/> sets it from the memory budget.
    /// </summary>
    public long? WorkingSetLimitBytes { get; init; }

    public int MaxEpochs { get; init; } = 30;

    /// <summary>gcn-lstm: most epochs of the graph-only first stage (early stopped like the rest); 0 skips it.</summary>
    public int GraphWarmupEpochs { get; init; } = 40;

    /// <summary>
    /// gcn-lstm's joint stage: propagate over the graph every this many steps and reuse that propagation, detached, in
    /// between (the layer-0 embeddings still get their own term's gradient), as GNNAutoScale reuses historical
    /// embeddings. Every step otherwise propagates the whole graph forward and backward: on ML-20M that is ~4 s of a
    /// step. 1 propagates at every step.
    /// </summary>
    public int GraphRefreshSteps { get; init; } = 1;

    /// <summary>gcn-lstm after the warm-up: the graph part's learning rate as a share of <see cref="LearningRate"/>.</summary>
    public double GraphFineTuneRate { get; init; } = 0.1;

    /// <summary>
    /// Stop after this many epochs without a better validation ndcg@10. 10 by measurement: on ml-latest-small
    /// leave-one-out the validation curve plateaus for ~6 epochs before rising again; with 5, gcn-lstm's graph stage
    /// stopped on the plateau (test ndcg@10 0.028), with 10 it trained on (0.044).
    /// </summary>
    public int Patience { get; init; } = 10;

    /// <summary>
    /// Epochs each stage runs before early stopping may end it. Validation ndcg@10 is noisy on small validation sets
    /// (leave-one-out on ml-latest-small: one movie for each of 610 users) and often peaks by chance at the first,
    /// popularity-like epoch; without a floor, patience then stopped gcn-lstm's graph stage at epoch 6 of a curve
    /// that was still rising (test ndcg@10 0.019, below popularity).
    /// </summary>
    public int MinEpochs { get; init; } = 10;

    /// <summary>Validation ndcg@10 is computed on at most this many users (a seeded sample).</summary>
    public int MaxValidationUsers { get; init; } = 5000;

    public double GradientClipNorm { get; init; } = 5.0;

    /// <summary>Most epochs a model trains: the joint stage's cap, plus the graph warm-up's for gcn-lstm.</summary>
    public int EpochCap(string model) => MaxEpochs + (ModelKinds.Parse(model) == ModelKind.GcnLstm ? GraphWarmupEpochs : 0);

    /// <summary>The ranking loss used for a model over a catalogue of <paramref name="itemCount"/> items.</summary>
    internal RankingLoss ResolveLoss(ModelKind kind, int itemCount) => Loss switch
    {
        RankingLoss.Auto when kind == ModelKind.Bpr => RankingLoss.Bpr,
        RankingLoss.Auto => itemCount <= FullSoftmaxMaxItems ? RankingLoss.Softmax : RankingLoss.SampledSoftmax,
        _ => Loss,
    };

    /// <summary>These options with <paramref name="epochs"/> as the epoch limit of each stage (graph warm-up and joint).</summary>
    public TrainingOptions WithMaxEpochs(int epochs) => this with { MaxEpochs = epochs, GraphWarmupEpochs = Math.Min(GraphWarmupEpochs, epochs) };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        static void Require(bool condition, string field, string rule)
        {
            if (!condition)
            {
                throw new ArgumentException($"TrainingOptions.{field} {rule}.", field);
            }
        }
        Require(Dim > 0, nameof(Dim), "must be positive");
        Require(GraphLayers >= 0, nameof(GraphLayers), "must not be negative");
        Require(Hidden > 0, nameof(Hidden), "must be positive");
        Require(LstmLayers > 0, nameof(LstmLayers), "must be positive");
        Require(LstmDropout is >= 0 and < 1, nameof(LstmDropout), "must be in [0, 1)");
        Require(InputDropout is >= 0 and < 1, nameof(InputDropout), "must be in [0, 1)");
        Require(TransitionDropout is >= 0 and < 1, nameof(TransitionDropout), "must be in [0, 1)");
        Require(AnonymousRate is >= 0 and <= 1, nameof(AnonymousRate), "must be in [0, 1]");
        Require(SequenceDimShare >= 0 && SequenceDim < Dim, nameof(SequenceDimShare), "must leave the graph at least one of the Dim columns: [0, 1)");
        Require(MaxHistory > 0, nameof(MaxHistory), "must be positive");
        Require(SampledNegatives > 0, nameof(SampledNegatives), "must be positive");
        Require(NextItemLossWeight >= 0, nameof(NextItemLossWeight), "must not be negative");
        Require(GraphLossWeight >= 0, nameof(GraphLossWeight), "must not be negative");
        Require(HistoryLossWeight >= 0, nameof(HistoryLossWeight), "must not be negative");
        Require(RatingLossWeight >= 0, nameof(RatingLossWeight), "must not be negative");
        Require(RatingDim > 0, nameof(RatingDim), "must be positive");
        Require(LearningRate > 0, nameof(LearningRate), "must be positive");
        Require(WeightDecay >= 0, nameof(WeightDecay), "must not be negative");
        Require(EmbeddingL2 >= 0, nameof(EmbeddingL2), "must not be negative");
        Require(UserBatchSize > 0, nameof(UserBatchSize), "must be positive");
        Require(SequenceUserBatchSize is null or > 0, nameof(SequenceUserBatchSize), "must be positive");
        Require(LstmUserBatchSize is null or > 0, nameof(LstmUserBatchSize), "must be positive");
        Require(MaxWindowsPerStep > 0, nameof(MaxWindowsPerStep), "must be positive");
        Require(PairBatchSize > 0, nameof(PairBatchSize), "must be positive");
        Require(MaxEpochs > 0, nameof(MaxEpochs), "must be positive");
        Require(GraphWarmupEpochs >= 0, nameof(GraphWarmupEpochs), "must not be negative");
        Require(GraphRefreshSteps > 0, nameof(GraphRefreshSteps), "must be positive");
        Require(GraphFineTuneRate >= 0, nameof(GraphFineTuneRate), "must not be negative");
        Require(Patience > 0, nameof(Patience), "must be positive");
        Require(MinEpochs >= 0, nameof(MinEpochs), "must not be negative");
        Require(MaxValidationUsers > 0, nameof(MaxValidationUsers), "must be positive");
        Require(Threads is null or > 0, nameof(Threads), "must be positive");
        Require(WorkingSetLimitBytes is null or > 0, nameof(WorkingSetLimitBytes), "must be positive");
        Require(Device is "auto" or "cpu" or "cuda", nameof(Device), "must be auto, cpu or cuda");
    }
}
