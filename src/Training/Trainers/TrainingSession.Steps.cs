using Recommender.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Trainers;

/// <summary>The steps of an epoch: which users a step takes, their graph, sequence and rating losses, and the optimiser step.</summary>
internal sealed partial class TrainingSession
{
    /// <summary>
    /// One pass over the users in batches. Each step trains, for its users: the graph loss (graph models: g alone
    /// against all of the user's training movies, the per-pair softmax loss computed per user), the sequence losses
    /// (sequence models: next movie at every step of every window, history loss at the end of the final window) and
    /// the rating loss over all of the users' training ratings.
    /// </summary>
    private (double Loss, double Ranking, double Rating) UserEpoch(TrainingStage stage, CancellationToken cancellationToken)
    {
        var users = Enumerable.Range(0, _trainItems.UserCount).Where(u => _trainItems.Count(u) > 0).ToArray();
        Shuffle(users);
        var batchSize = _network.Sequence is null || stage != TrainingStage.Full ? _options.UserBatchSize
            : _kind == ModelKind.Lstm ? _options.LstmUserBatchSize ?? _options.SequenceUserBatchSize ?? _options.UserBatchSize
            : _options.SequenceUserBatchSize ?? _options.UserBatchSize;
        double lossSum = 0, rankingSum = 0, ratingSum = 0;
        var steps = 0;
        var batch = new List<int>();
        var windows = 0;
        // Windows bound a step only while the sequence part trains (the graph warm-up reads none).
        var chunks = stage == TrainingStage.Full ? _chunksByUser : null;
        for (var next = 0; next < users.Length; next++)
        {
            var user = users[next];
            batch.Add(user);
            windows += chunks?[user].Count ?? 0;
            var following = next + 1 < users.Length ? chunks?[users[next + 1]].Count ?? 0 : 0;
            // A step ends at the batch size, or before its windows would pass MaxWindowsPerStep (bounding memory).
            if (next + 1 < users.Length && batch.Count < batchSize && windows + following <= _options.MaxWindowsPerStep)
            {
                continue;
            }
            cancellationToken.ThrowIfCancellationRequested();
            using (NewDisposeScope())
            {
                var (loss, ranking, rating) = UserStep([.. batch], stage);
                lossSum += loss;
                rankingSum += ranking;
                ratingSum += rating;
            }
            steps++;
            batch.Clear();
            windows = 0;
            _memoryRelease?.AfterStep();
        }
        _memoryRelease?.AfterEpoch();
        return (lossSum / steps, rankingSum / steps, ratingSum / steps);
    }

    private (double Loss, double Ranking, double Rating) UserStep(int[] users, TrainingStage stage)
    {
        var (ranking, rating) = UserLosses(users, stage);
        return ranking is null ? (0, 0, 0) : Step(ranking, rating);
    }

    /// <summary>
    /// The step's tables: propagated over the graph, or, in the joint stage with <see cref="TrainingOptions.GraphRefreshSteps"/>
    /// above 1, from the propagation kept at the last refresh (every epoch starts with one, so that a resumed epoch
    /// computes what an uninterrupted one does).
    /// </summary>
    private (Tensor? Users, Tensor Items) EncodeForStep(TrainingStage stage)
    {
        if (stage != TrainingStage.Full || _options.GraphRefreshSteps == 1 || _options.Convolution != GraphConvolution.LightGcn)
        {
            return _network.Encode(_inputs);
        }
        if (_neighbourhood is not null && _stepsSinceRefresh < _options.GraphRefreshSteps)
        {
            _stepsSinceRefresh++;
            return _network.Encode(_inputs, _neighbourhood);
        }
        _stepsSinceRefresh = 1;
        return _network.Encode(_inputs, keptNeighbourhood: kept =>
        {
            _neighbourhood?.Dispose();
            _neighbourhood = kept.clone().DetachFromDisposeScope();
        });
    }

    /// <summary>The ranking loss (sum of the applicable losses) and rating loss of one step over these users.</summary>
    internal (Tensor? Ranking, Tensor? Rating) UserLosses(int[] users, TrainingStage stage)
    {
        var (graphUsers, items) = EncodeForStep(stage);
        var losses = new List<Tensor>();
        var graphWeight = _kind == ModelKind.LightGcn || stage == TrainingStage.GraphWarmup ? 1.0 : _options.GraphLossWeight;
        if (graphUsers is not null && graphWeight > 0)
        {
            var owned = users.Select(u => _trainItems.ItemsOf(u).ToArray()).ToList();
            losses.Add(graphWeight * _losses.Multinomial(_userVectors.GraphPart(graphUsers, users, anonymous: null), items, owned, perTarget: true));
        }
        if (_network.Sequence is not null && stage == TrainingStage.Full)
        {
            losses.AddRange(SequenceLosses(users, graphUsers, items));
        }
        Tensor? rating = null;
        if (_network.Rating is not null && graphUsers is not null)
        {
            var pairUsers = new List<long>();
            var pairItems = new List<long>();
            var pairRatings = new List<float>();
            foreach (var user in users)
            {
                for (var position = _trainHistories.Offsets[user]; position < _trainHistories.Offsets[user + 1]; position++)
                {
                    pairUsers.Add(user);
                    pairItems.Add(_trainHistories.Items[position]);
                    pairRatings.Add(_trainHistories.Ratings[position]);
                }
            }
            rating = RatingLossOf(graphUsers, items, tensor(pairUsers.ToArray(), device: _device), tensor(pairItems.ToArray(), device: _device), pairRatings.ToArray());
        }
        return (losses.Count == 0 ? null : losses.Aggregate((a, b) => a + b), rating);
    }

    /// <summary>
    /// The next-movie loss over every step of the users' windows and the history loss at the last step of each
    /// user's final window, whose targets are the user's training movies the window does not show (outside it or
    /// dropped). Each window's graph part is the user's g, or a for a random share of windows.
    /// </summary>
    private List<Tensor> SequenceLosses(int[] users, Tensor? graphUsers, Tensor items)
    {
        var batch = SequenceBatch.Build([.. users.SelectMany(u => _chunksByUser![u])], _trainHistories, _trainItems, _options, _random);
        var losses = new List<Tensor>();
        if (batch.Positions.Count == 0)
        {
            return losses;
        }

        var shape = new long[] { batch.Chunks.Count, batch.Width };
        var inputs = tensor(batch.Inputs, shape, device: _device);
        var keep = _options.InputDropout > 0 ? tensor(batch.Keep, shape, device: _device) : null;
        var states = _network.Sequence!.Encode(RecommenderNetwork.SequenceInputs(items, inputs, keep));
        var positions = tensor(batch.Positions.ToArray(), device: _device);
        var sequencePart = states.view(-1, states.shape[2]).index_select(0, positions);
        var positionRows = tensor(batch.PositionRows.ToArray(), device: _device);
        var graphPart = graphUsers is null
            ? null
            : _userVectors.GraphPart(graphUsers, batch.ChunkUsers, batch.Anonymous).index_select(0, positionRows);
        if (graphPart is not null && _options.SessionFoldIn && batch.Anonymous.Any(isAnonymous => isAnonymous))
        {
            // keep is 1 exactly at the steps the LSTM reads (0 past each window's end and at dropped inputs).
            var foldIn = _network.FoldIn(items, inputs, keep ?? tensor(batch.Keep, shape, device: _device));
            var foldInRows = foldIn.view(-1, foldIn.shape[2]).index_select(0, positions);
            graphPart = where(tensor(batch.Anonymous, device: _device).index_select(0, positionRows).unsqueeze(1), foldInRows, graphPart);
        }
        var transitionPart = _network.TrainingTransition(
            inputs.view(-1).index_select(0, positions), keep?.view(-1).index_select(0, positions), _options.TransitionDropout);
        var userVectors = _network.Combine(graphPart, sequencePart, transitionPart);
        if (batch.NextCount > 0)
        {
            var negatives = _losses.Kind == RankingLoss.Bpr ? _losses.BprNegatives(batch.TargetUsers, _random) : null;
            var next = _losses.Of(userVectors.narrow(0, 0, batch.NextCount), items, tensor(batch.Targets.ToArray(), device: _device), negatives);
            losses.Add(_options.NextItemLossWeight * next);
        }
        if (batch.UnseenSets.Count > 0)
        {
            losses.Add(_options.HistoryLossWeight * _losses.Multinomial(userVectors.narrow(0, batch.NextCount, batch.UnseenSets.Count), items, batch.UnseenSets));
        }
        return losses;
    }

    private (double Loss, double Ranking, double Rating) PairEpoch(CancellationToken cancellationToken)
    {
        var train = _split.Train;
        var order = Enumerable.Range(0, train.Count).ToArray();
        Shuffle(order);
        double lossSum = 0, rankingSum = 0, ratingSum = 0;
        var steps = 0;
        for (var start = 0; start < order.Length; start += _options.PairBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = order.AsSpan(start, Math.Min(_options.PairBatchSize, order.Length - start));
            var users = new int[rows.Length];
            var targets = new long[rows.Length];
            var ratings = new float[rows.Length];
            for (var i = 0; i < rows.Length; i++)
            {
                users[i] = train.Users[rows[i]];
                targets[i] = train.Items[rows[i]];
                ratings[i] = train.Ratings[rows[i]];
            }
            using var scope = NewDisposeScope();
            var (graphUsers, items) = _network.Encode(_inputs);
            var userTensor = tensor(users.Select(u => (long)u).ToArray(), device: _device);
            var targetTensor = tensor(targets, device: _device);
            var userVectors = _userVectors.GraphPart(graphUsers!, users, anonymous: null);
            var negatives = _losses.Kind == RankingLoss.Bpr ? _losses.BprNegatives(users.Select(u => (long)u), _random) : null;
            var ranking = _losses.Of(userVectors, items, targetTensor, negatives);
            if (_options.EmbeddingL2 > 0)
            {
                // LightGCN-style penalty on the layer-0 id rows the step uses.
                var squares = _network.Graph.UserIdWeight!.index_select(0, userTensor).pow(2).sum()
                    + _network.Graph.ItemIdWeight.index_select(0, targetTensor).pow(2).sum();
                if (negatives is not null)
                {
                    squares = squares + _network.Graph.ItemIdWeight.index_select(0, negatives).pow(2).sum();
                }
                ranking = ranking + _options.EmbeddingL2 * squares / (2.0 * rows.Length);
            }
            var rating = RatingLossOf(graphUsers, items, userTensor, targetTensor, ratings);
            var (loss, rankingValue, ratingValue) = Step(ranking, rating);
            lossSum += loss;
            rankingSum += rankingValue;
            ratingSum += ratingValue;
            steps++;
        }
        return (lossSum / steps, rankingSum / steps, ratingSum / steps);
    }

    private (double Loss, double Ranking, double Rating) Step(Tensor ranking, Tensor? rating)
    {
        var loss = rating is null ? ranking : ranking + _options.RatingLossWeight * rating;
        _optimizer.zero_grad();
        loss.backward();
        if (_options.GradientClipNorm > 0)
        {
            nn.utils.clip_grad_norm_(_parameters, _options.GradientClipNorm);
        }
        _optimizer.step();
        return (loss.item<float>(), ranking.item<float>(), rating?.item<float>() ?? 0);
    }

    private Tensor? RatingLossOf(Tensor? graphUsers, Tensor items, Tensor users, Tensor targets, float[] ratings)
    {
        if (_network.Rating is null || graphUsers is null)
        {
            return null;
        }
        var predicted = _network.Rating.Predict(users, targets, graphUsers.index_select(0, users), items.index_select(0, targets));
        return nn.functional.mse_loss(predicted, tensor(ratings, device: _device));
    }
}
