using System.Diagnostics;
using Recommender.Model.Evaluation;
using Recommender.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Recommender.Training.Trainers;

/// <summary>
/// One training run: builds the graph, features and network for a model kind, runs the epochs with early stopping on
/// validation ndcg@10 and produces the trained model. bpr trains on (user, movie, negative) triples; the other models
/// step over batches of users (see <see cref="UserEpoch"/>), the sequence models over the users' time-ordered
/// training histories cut into windows of at most L. Every step runs inside its own dispose scope.
/// </summary>
internal sealed partial class TrainingSession : IDisposable
{
    private const int ValidationK = 10;

    private readonly ModelKind _kind;
    private readonly DataSplit _split;
    private readonly TrainingOptions _options;
    private readonly Device _device;
    private Random _random;
    private Tensor? _neighbourhood;
    private int _stepsSinceRefresh;
    private readonly UserHistories _trainHistories;
    private readonly UserItemLists _trainItems;
    private readonly bool[] _connectedUsers;
    private readonly RecommenderNetwork _network;
    private readonly GraphInputs _inputs;
    private readonly NetworkShape _shape;
    private readonly SideFeatures _features;
    private readonly SampledSoftmax? _sampledSoftmax;
    private readonly RankingLosses _losses;
    private readonly Adam _optimizer;
    private readonly Adam.ParamGroup _graphGroup;
    private readonly List<Parameter> _parameters;
    private readonly List<SequenceChunk>[]? _chunksByUser;
    private readonly UserVectorBuilder _userVectors;
    private readonly FreedMemoryRelease? _memoryRelease;

    public TrainingSession(ModelKind kind, DataSplit split, TrainingOptions options, Device device)
    {
        _kind = kind;
        _split = split;
        _options = options;
        _memoryRelease = options.WorkingSetLimitBytes is { } limit ? new FreedMemoryRelease(limit) : null;
        _device = device;
        _random = new Random(options.Seed);
        var train = split.Train;
        if (train.Count == 0)
        {
            throw new ArgumentException("The split's training table is empty.", nameof(split));
        }
        _trainHistories = UserHistories.Build(train);
        _trainItems = UserItemLists.Build(train);

        InteractionGraph? graph = kind.UsesGraph() ? InteractionGraph.Build([train], options.MinEdgeRating, options.WeightEdgesByRating) : null;
        _connectedUsers = graph?.ConnectedUsers() ?? Enumerable.Range(0, train.UserCount).Select(u => _trainItems.Count(u) > 0).ToArray();
        var features = kind.UsesGraph()
            ? SideFeatures.Build(split.Dataset, options.UseGenres, options.UseTags, options.UseDemographics, options.MinTagMovies)
            : new SideFeatures();
        var shape = _shape = NetworkShapes.For(kind, train, options, features);
        _features = features;
        _network = new RecommenderNetwork(shape, options.EmbeddingInitStd);
        if (_network.Rating is not null)
        {
            var (userBiases, itemBiases) = RatingBaselines.Biases(train, shape.GlobalMeanRating);
            _network.Rating.InitialiseBiases(userBiases, itemBiases);
        }
        _network.Fusion?.InitialiseBias(options.GateBiasInit, graphDims: shape.GraphDim);
        _network.to(device);
        _userVectors = new UserVectorBuilder(_network, _connectedUsers, options.MaxHistory, device);
        _inputs = GraphInputs.Create(shape, graph, features, device);
        var loss = options.ResolveLoss(kind, train.ItemCount);
        if (loss == RankingLoss.SampledSoftmax)
        {
            _sampledSoftmax = new SampledSoftmax(train, options.SampledNegatives, options.NegativeSamplingExponent, device);
        }
        _losses = new RankingLosses(loss, _sampledSoftmax, _trainItems, train.ItemCount, device);
        _chunksByUser = kind.UsesSequence() ? SequenceChunk.Split(_trainHistories, options.MaxHistory) : null;
        _parameters = _network.parameters().ToList();
        var graphParameters = _network.Graph.parameters().ToList();
        var otherParameters = _parameters.Where(p => !graphParameters.Contains(p)).ToList();
        _graphGroup = new Adam.ParamGroup(graphParameters, options.LearningRate, 0.9, 0.999, 1e-8, options.WeightDecay, false, false);
        var groups = new List<Adam.ParamGroup> { _graphGroup };
        if (otherParameters.Count > 0)
        {
            groups.Add(new Adam.ParamGroup(otherParameters, options.LearningRate, 0.9, 0.999, 1e-8, options.WeightDecay, false, false));
        }
        _optimizer = optim.Adam(groups, options.LearningRate, weight_decay: options.WeightDecay);
    }

    public RecommenderNetwork Network => _network;
    public RankingLoss Loss => _losses.Kind;

    /// <summary>
    /// Runs the epochs; leaves the network holding the weights of the best validation epoch. gcn-lstm trains in two
    /// stages: the graph part alone first (graph and rating losses, early stopping on the ndcg@10 of u = g), then
    /// everything jointly (early stopping on the ndcg@10 of the fused vector). The joint stage starts from a graph
    /// as good as LightGCN's, so the sequence part and the gate only have to add to it. With a
    /// <paramref name="checkpoint"/>, every epoch is saved and training resumes after the newest saved epoch
    /// (<paramref name="resumedFrom"/> says which epoch).
    /// </summary>
    public (List<EpochReport> History, int BestEpoch) Fit(
        IProgress<EpochReport>? progress, CancellationToken cancellationToken, TrainingCheckpoint? checkpoint = null, Action<int>? resumedFrom = null)
    {
        var validationItems = UserItemLists.Build(_split.Validation);
        List<int> validationUsers = [.. RankingProbe.ValidationUsers(validationItems, _options)];
        var resume = checkpoint?.Load(_network, _optimizer);
        var history = resume?.State.History ?? [];
        if (resume is { } resumed)
        {
            resumedFrom?.Invoke(resumed.State.Epoch);
        }
        var warmup = _kind == ModelKind.GcnLstm && _options.GraphWarmupEpochs > 0;
        var stage = new StageRun(validationUsers, validationItems, history, progress, checkpoint, cancellationToken);
        if (warmup && resume?.State.Stage != TrainingStage.Full)
        {
            RunStage(TrainingStage.GraphWarmup, _options.GraphWarmupEpochs, stage, resume);
            resume = null;
        }
        if (warmup)
        {
            _graphGroup.LearningRate = _options.LearningRate * _options.GraphFineTuneRate;
        }
        var bestEpoch = RunStage(TrainingStage.Full, _options.MaxEpochs, stage, resume);
        _network.eval();
        return (history, bestEpoch);
    }

    private sealed record StageRun(
        List<int> ValidationUsers,
        UserItemLists ValidationItems,
        List<EpochReport> History,
        IProgress<EpochReport>? Progress,
        TrainingCheckpoint? Checkpoint,
        CancellationToken CancellationToken);

    private int RunStage(TrainingStage stage, int maxEpochs, StageRun run, (CheckpointState State, Dictionary<string, Tensor>? BestWeights)? resume)
    {
        var firstEpoch = resume?.State.StageFirstEpoch ?? run.History.Count + 1;
        using var stopping = new EarlyStopping(_network, firstEpoch, _options.MinEpochs, _options.Patience);
        if (resume is { } resumed)
        {
            stopping.Resume(resumed.State.BestNdcg, resumed.State.BestEpoch, resumed.BestWeights);
        }
        else if (run.History.Count > 0 && run.ValidationUsers.Count > 0)
        {
            KeepWarmedUpGraph(stopping, run.ValidationUsers, run.ValidationItems);
        }
        var lastEpoch = firstEpoch + maxEpochs - 1;
        for (var epoch = (resume?.State.Epoch ?? firstEpoch - 1) + 1; resume?.State.StageEnded != true && epoch <= lastEpoch; epoch++)
        {
            var watch = Stopwatch.StartNew();
            SeedEpoch(epoch);
            _network.train();
            var (loss, ranking, rating) = _kind == ModelKind.Bpr ? PairEpoch(run.CancellationToken) : UserEpoch(stage, run.CancellationToken);
            var ndcg = run.ValidationUsers.Count > 0 ? ValidationNdcg(run.ValidationUsers, run.ValidationItems, graphOnly: stage == TrainingStage.GraphWarmup) : double.NaN;
            var report = new EpochReport(epoch, loss, ranking, rating, ndcg, watch.Elapsed.TotalSeconds, stage);
            run.History.Add(report);
            var stop = stopping.Observe(epoch, ndcg);
            run.Checkpoint?.Save(
                new CheckpointState(run.Checkpoint.Identity, stage, firstEpoch, epoch, stop || epoch == lastEpoch, stopping.BestNdcg, stopping.BestEpoch, run.History),
                _network, stopping.BestWeights, _optimizer);
            run.Progress?.Report(report);
            if (stop)
            {
                break;
            }
        }
        stopping.RestoreBest();
        return stopping.BestEpoch;
    }

    /// <summary>
    /// Seeds torch's generator (dropout, sampled negatives) and the session's own (shuffles, windows, BPR negatives)
    /// from the run's seed and the epoch, so that an epoch resumed from a checkpoint draws what it would have drawn.
    /// </summary>
    private void SeedEpoch(int epoch)
    {
        _neighbourhood?.Dispose();
        _neighbourhood = null;
        var seed = unchecked(_options.Seed * 1_000_003 + epoch);
        manual_seed(seed);
        _random = new Random(seed);
    }

    /// <summary>
    /// The joint stage keeps the warmed-up graph unless it beats it. The sequence part's own movie columns are zero in
    /// the weights kept: they are untrained yet, and with their random start they, not the graph, ordered the scores
    /// (a 2-epoch retrain on ml-latest-small's temporal split scored ndcg@10 0.094 whichever graph epoch it kept;
    /// popularity 0.112). Training goes on from the random columns.
    /// </summary>
    private void KeepWarmedUpGraph(EarlyStopping stopping, List<int> validationUsers, UserItemLists validationItems)
    {
        var columns = _network.SequenceItems;
        using var start = columns?.detach().clone();
        using (no_grad())
        {
            columns?.zero_();
        }
        stopping.KeepCurrent(ValidationNdcg(validationUsers, validationItems, graphOnly: false));
        using (no_grad())
        {
            columns?.copy_(start!);
        }
    }

    /// <summary>
    /// The final tables with the network in evaluation mode: movie table E, graph user table G (null for lstm) and the
    /// user vectors of every user from their most recent train + validation history.
    /// </summary>
    public (Tensor Items, Tensor? Users, Tensor UserVectors) FinalTables()
    {
        _network.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var finalInputs = FinalInputs();
        var (users, items) = _network.Encode(finalInputs ?? _inputs);
        var histories = _split.Validation.Count > 0 ? UserHistories.Build(_split.Train, _split.Validation) : _trainHistories;
        var vectors = _userVectors.Of(users, items, Enumerable.Range(0, _split.Train.UserCount).ToArray(), histories);
        return (
            items.cpu().contiguous().MoveToOuterDisposeScope(),
            users?.cpu().contiguous().MoveToOuterDisposeScope(),
            vectors.cpu().contiguous().MoveToOuterDisposeScope());
    }

    /// <summary>The graph of the training and validation edges for the final tables (graph models, when enabled); null: the training graph.</summary>
    private GraphInputs? FinalInputs() =>
        _kind.UsesGraph() && _options.ValidationEdgesInFinalGraph && _split.Validation.Count > 0
            ? GraphInputs.Create(_shape, InteractionGraph.Build([_split.Train, _split.Validation], _options.MinEdgeRating, _options.WeightEdgesByRating), _features, _device)
            : null;

    /// <summary>Validation ndcg@10 of the model's user vectors, or of the graph part alone (u = g).</summary>
    private double ValidationNdcg(IReadOnlyList<int> users, UserItemLists validationItems, bool graphOnly)
    {
        _network.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var (graphUsers, items) = _network.Encode(_inputs);
            var userArray = users.ToArray();
            var vectors = graphOnly
                ? graphUsers!.index_select(0, tensor(userArray.Select(u => (long)u).ToArray(), device: _device)).cpu()
                : _userVectors.Of(graphUsers, items, userArray, _trainHistories).cpu();
            var rowOfUser = new Dictionary<int, int>(userArray.Length);
            for (var i = 0; i < userArray.Length; i++)
            {
                rowOfUser[userArray[i]] = i;
            }
            using var scorer = new TableScorer(vectors, items.cpu(), rowOfUser);
            return RankingProbe.ValidationNdcg(scorer, _trainItems, validationItems, users, ValidationK);
        }
        finally
        {
            _network.train();
        }
    }

    private void Shuffle<T>(IList<T> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    public void Dispose()
    {
        _neighbourhood?.Dispose();
        _optimizer.Dispose();
        _inputs.Dispose();
        _sampledSoftmax?.Dispose();
    }
}
