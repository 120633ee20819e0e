using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recommender.Model.Engine;

/// <summary>
/// An int8 copy of the movie table (one scale per row) for a first, approximate scoring pass. Every approximate score
/// comes with a bound on its distance from the exact float32 score; ranking rescores exactly only the rows whose
/// bound interval can reach the top list, so results equal full exact scoring.
/// <para>
/// Layout: blocks of 8 rows, and within a block groups of 4 dimensions, each group holding the 4 values of row 0,
/// then of row 1, … row 7 (32 bytes). One unsigned×signed byte multiply-add (vpmaddubsw) of a group against the 4
/// query bytes repeated 8 times, widened by vpmaddwd, leaves each row's partial sum in its own int32 lane: the 8 rows'
/// dot products come out side by side with no horizontal reduction, the step that dominated a row-major scan.
/// </para>
/// </summary>
internal sealed class QuantizedMovieTable
{
    // The query is quantized to v ∈ [−63, 63] and stored as the unsigned byte v + 64, so a vpmaddubsw pair sum is at
    // most 2 · 127 · 127 < 32767 and never saturates.
    private const int QueryLevels = 63;
    private const int QueryOffset = 64;
    internal const int BlockRows = 8;
    internal const int GroupDims = 4;
    internal const int GroupBytes = BlockRows * GroupDims;
    // Per block, two runs of 8 floats that every scan reads: the offset corrections QueryOffset·Σ_d q[row, d] (integers
    // below 2^24, so exact in float) and the scales; and apart from them, as the scan is bound by memory bandwidth, the
    // two error factors that only rows passing the cheap test need.
    private const int CorrectionsAt = 0;
    private const int ScalesAt = BlockRows;
    private const int NormErrorsAt = 0;
    private const int ResidualErrorsAt = BlockRows;
    private const int FactorsPerBlock = 2 * BlockRows;
    private static readonly double ApproximationRounding = Math.Pow(2, -21);

    private readonly sbyte[] _blocks;
    private readonly float[] _blockFactors;
    private readonly float[] _blockErrors;
    private readonly int _groups;
    // Per block, the lanes of non-finite rows: their bound is infinite, so they are always rescored.
    private readonly byte[] _alwaysRescored;
    // The largest error factors of finite rows: with them one cheap test per block, approximate ≥ threshold − largest
    // bound, finds every row that could matter before any row's own bound is computed.
    private readonly float _largestNormError;
    private readonly float _largestResidualError;

    /// <param name="table">The float32 movie table, row-major [rows, dim].</param>
    public QuantizedMovieTable(ReadOnlyMemory<float> table, int dim)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        Dim = dim;
        Rows = table.Length / dim;
        _groups = (dim + GroupDims - 1) / GroupDims;
        _blocks = new sbyte[BlockCount * _groups * GroupBytes];
        _blockFactors = new float[BlockCount * FactorsPerBlock];
        _blockErrors = new float[BlockCount * FactorsPerBlock];
        _alwaysRescored = new byte[BlockCount];
        // Blocks are independent; the engine builds this while it loads, so use every core.
        Parallel.For(0, BlockCount, block => QuantizeBlock(table.Span, block));
        for (var block = 0; block < BlockCount; block++)
        {
            for (var lane = 0; lane < BlockRows; lane++)
            {
                if ((_alwaysRescored[block] & (1 << lane)) == 0)
                {
                    _largestNormError = Math.Max(_largestNormError, _blockErrors[block * FactorsPerBlock + NormErrorsAt + lane]);
                    _largestResidualError = Math.Max(_largestResidualError, _blockErrors[block * FactorsPerBlock + ResidualErrorsAt + lane]);
                }
            }
        }
    }

    private void QuantizeBlock(ReadOnlySpan<float> table, int block)
    {
        // Rounding of the exact float32 dot product: at most (dim + 2) units of 2^-24 of Σ|e_d·u_d| ≤ maxAbs·√dim·‖u‖₂;
        // doubled for margin.
        var roundingAllowance = 2.0 * (Dim + 2) * Math.Pow(2, -24) * Math.Sqrt(Dim);
        var factors = _blockFactors.AsSpan(block * FactorsPerBlock, FactorsPerBlock);
        var errors = _blockErrors.AsSpan(block * FactorsPerBlock, FactorsPerBlock);
        for (var lane = 0; lane < BlockRows; lane++)
        {
            var row = block * BlockRows + lane;
            if (row >= Rows)
            {
                return;
            }
            var values = table.Slice(row * Dim, Dim);
            var maxAbs = Math.Abs(TensorPrimitives.MaxMagnitude(values));
            if (!float.IsFinite(maxAbs) || maxAbs == 0)
            {
                // A zero row scores exactly 0; a non-finite one is always rescored.
                if (!float.IsFinite(maxAbs))
                {
                    errors[NormErrorsAt + lane] = float.PositiveInfinity;
                    _alwaysRescored[block] |= (byte)(1 << lane);
                }
                continue;
            }
            var scale = maxAbs / 127f;
            double residualSquares = 0, quantizedSquares = 0;
            var sum = 0;
            for (var d = 0; d < Dim; d++)
            {
                var quantized = (sbyte)Math.Clamp(MathF.Round(values[d] / scale), -127f, 127f);
                _blocks[Position(row, d)] = quantized;
                sum += quantized;
                var residual = values[d] - (double)scale * quantized;
                residualSquares += residual * residual;
                quantizedSquares += (double)quantized * quantized;
            }
            var quantizedNorm = scale * Math.Sqrt(quantizedSquares);
            factors[CorrectionsAt + lane] = QueryOffset * sum;
            factors[ScalesAt + lane] = scale;
            // The 2^-21 shares cover the three roundings of turning the integer sum into a scaled float (see Bound).
            errors[NormErrorsAt + lane] = (float)((Math.Sqrt(residualSquares) + roundingAllowance * maxAbs + ApproximationRounding * quantizedNorm) * 1.001);
            errors[ResidualErrorsAt + lane] = (float)(quantizedNorm * (1 + ApproximationRounding) * 1.001);
        }
    }

    public int Dim { get; }
    public int Rows { get; }

    private int BlockCount => (Rows + BlockRows - 1) / BlockRows;

    private bool UsesRegisters => Avx2.IsSupported && _groups == RegisterBlockSums64.Groups;

    private int Position(int row, int d) =>
        ((row / BlockRows * _groups + d / GroupDims) * BlockRows + row % BlockRows) * GroupDims + d % GroupDims;

    /// <summary>
    /// approximate[i] ≈ table[i, :] · query and bound[i] ≥ |approximate[i] − exact float32 score|, from the same
    /// block computation <see cref="SelectBest"/> ranks with.
    /// </summary>
    public unsafe void ApproximateScores(ReadOnlySpan<float> query, Span<float> approximate, Span<float> bound)
    {
        if (query.Length != Dim || approximate.Length != Rows || bound.Length != Rows)
        {
            throw new ArgumentException($"Expected a query of {Dim} and {Rows} scores and bounds, got {query.Length}, {approximate.Length} and {bound.Length}.");
        }
        var queryGroups = stackalloc Vector256<byte>[_groups];
        var quantized = new QuantizedQuery(query, new Span<byte>(queryGroups, _groups * GroupBytes));
        if (UsesRegisters)
        {
            ApproximateScores(new RegisterBlockSums64(queryGroups), quantized, approximate, bound);
        }
        else
        {
            ApproximateScores(new MemoryBlockSums(queryGroups, _groups), quantized, approximate, bound);
        }
    }

    private unsafe void ApproximateScores<TSums>(TSums sums, in QuantizedQuery quantized, Span<float> approximate, Span<float> bound)
        where TSums : struct, IBlockSums
    {
        fixed (sbyte* blocks = _blocks)
        fixed (float* factors = _blockFactors)
        fixed (float* errors = _blockErrors)
        {
            for (var block = 0; block < BlockCount; block++)
            {
                var blockScores = ApproximateBlock(sums, blocks + (nint)block * _groups * GroupBytes, factors + (nint)block * FactorsPerBlock, quantized.Step);
                var first = block * BlockRows;
                for (var lane = 0; lane < Math.Min(BlockRows, Rows - first); lane++)
                {
                    approximate[first + lane] = blockScores.GetElement(lane);
                    bound[first + lane] = Bound(errors + (nint)block * FactorsPerBlock, lane, quantized);
                }
            }
        }
    }

    /// <summary>
    /// The best accepted rows of <paramref name="table"/> (the float32 table this was built from) for
    /// <paramref name="query"/>, identical to exact scoring (<see cref="MovieScoring.ScoreAll"/>) followed by
    /// <see cref="TopKSelector.Select"/>. One pass keeps the best lower bounds (their worst is a threshold the k-th best
    /// exact score cannot fall below) and notes the rows whose upper bound reached the threshold of the moment; only
    /// those still reaching the final threshold are scored exactly. Returns how many were written.
    /// A row can only raise the threshold or reach it if its approximate score is at least the threshold minus the
    /// largest bound of any row, so the pass computes a row's own bound only when that cheap test lets it through.
    /// </summary>
    public unsafe int SelectBest(ReadOnlySpan<float> table, ReadOnlySpan<float> query, in ItemFilter filter, Span<int> items, Span<float> scores)
    {
        if (query.Length != Dim || table.Length != Rows * Dim)
        {
            throw new ArgumentException($"Expected a query of {Dim} and a table of {Rows} x {Dim}, got {query.Length} and {table.Length} values.");
        }
        var capacity = Math.Min(items.Length, scores.Length);
        var groups = _groups;
        var queryGroups = stackalloc Vector256<byte>[groups];
        var quantized = new QuantizedQuery(query, new Span<byte>(queryGroups, groups * GroupBytes));
        var candidateRows = ArrayPool<int>.Shared.Rent(Rows);
        var candidateUpperBounds = ArrayPool<float>.Shared.Rent(Rows);
        try
        {
            var lowerBounds = new TopKHeap(items[..capacity], scores[..capacity]);
            var largestBound = _largestNormError * quantized.Norm + _largestResidualError * quantized.ResidualNorm;
            var candidates = 0;
            var threshold = UsesRegisters
                ? Scan(new RegisterBlockSums64(queryGroups), quantized, filter, largestBound, ref lowerBounds, candidateRows, candidateUpperBounds, ref candidates)
                : Scan(new MemoryBlockSums(queryGroups, groups), quantized, filter, largestBound, ref lowerBounds, candidateRows, candidateUpperBounds, ref candidates);

            // Survivors are gathered in ascending row order, so selection among them keeps the lower-index-wins rule.
            var survivorRows = candidateRows;
            var exactScores = candidateUpperBounds;
            var survivors = 0;
            for (var candidate = 0; candidate < candidates; candidate++)
            {
                var row = candidateRows[candidate];
                if (candidateUpperBounds[candidate] >= threshold && filter.Accepts(row))
                {
                    survivorRows[survivors] = row;
                    exactScores[survivors] = MovieScoring.ScoreRow(table, query, row);
                    survivors++;
                }
            }
            var selected = TopKSelector.Select(exactScores.AsSpan(0, survivors), ItemFilter.None, items[..capacity], scores[..capacity]);
            for (var rank = 0; rank < selected; rank++)
            {
                items[rank] = survivorRows[items[rank]];
            }
            return selected;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(candidateRows);
            ArrayPool<float>.Shared.Return(candidateUpperBounds);
        }
    }

    /// <summary>
    /// The pass of <see cref="SelectBest"/>: offers lower bounds to the heap and notes candidates; returns the final
    /// threshold.
    /// </summary>
    private unsafe float Scan<TSums>(
        TSums sums, in QuantizedQuery quantized, in ItemFilter filter, float largestBound,
        ref TopKHeap lowerBounds, int[] candidateRows, float[] candidateUpperBounds, ref int candidates)
        where TSums : struct, IBlockSums
    {
        var groups = _groups;
        var threshold = lowerBounds.Threshold;
        var gate = Gate(threshold, largestBound);
        var blockCount = BlockCount;
        fixed (sbyte* blocks = _blocks)
        fixed (float* factors = _blockFactors)
        fixed (float* errors = _blockErrors)
        {
            var values = blocks;
            var blockFactors = factors;
            for (var block = 0; block < blockCount; block++, values += groups * GroupBytes, blockFactors += FactorsPerBlock)
            {
                if (TSums.PrefetchesAhead && Sse.IsSupported)
                {
                    // Ask for the block eight ahead, one cache line at a time.
                    var ahead = values + 8 * groups * GroupBytes;
                    for (var line = 0; line < groups * GroupBytes; line += 64)
                    {
                        Sse.Prefetch0(ahead + line);
                    }
                }
                var approximate = ApproximateBlock(sums, values, blockFactors, quantized.Step);
                var validLanes = block < blockCount - 1 ? 0xFFu : (1u << (Rows - block * BlockRows)) - 1;
                var lanes = (Vector256.GreaterThanOrEqual(approximate, Vector256.Create(gate)).ExtractMostSignificantBits() | _alwaysRescored[block]) & validLanes;
                if (lanes != 0)
                {
                    threshold = Examine(ref lowerBounds, candidateRows, candidateUpperBounds, ref candidates, block * BlockRows, approximate, errors + (nint)block * FactorsPerBlock, lanes, quantized, filter);
                    gate = Gate(threshold, largestBound);
                }
            }
        }
        return threshold;
    }

    /// <summary>
    /// threshold − largest bound, lowered by a few units of rounding so that no row whose own interval reaches the
    /// threshold is missed.
    /// </summary>
    private static float Gate(float threshold, float largestBound) =>
        threshold - largestBound - (Math.Abs(threshold) + largestBound) * 1e-6f;

    /// <summary>
    /// Offers the lower bounds of the given lanes to the heap and notes, with their upper bounds, those whose upper
    /// bound reaches the threshold; returns the threshold after them.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe float Examine(
        ref TopKHeap heap, int[] candidateRows, float[] candidateUpperBounds, ref int candidates, int firstRow,
        Vector256<float> approximate, float* errors, uint lanes, in QuantizedQuery query, in ItemFilter filter)
    {
        while (lanes != 0)
        {
            var lane = BitOperations.TrailingZeroCount(lanes);
            lanes &= lanes - 1;
            var row = firstRow + lane;
            var score = approximate.GetElement(lane);
            var bound = Bound(errors, lane, query);
            var lower = score - bound;
            if (heap.Admits(lower) && filter.Accepts(row))
            {
                heap.Offer(row, lower);
            }
            var upper = score + bound;
            if (upper >= heap.Threshold)
            {
                candidateRows[candidates] = row;
                candidateUpperBounds[candidates] = upper;
                candidates++;
            }
        }
        return heap.Threshold;
    }

    /// <summary>The approximate scores s·t·(q·v) of the 8 rows of a block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> ApproximateBlock<TSums>(in TSums sums, sbyte* values, float* factors, float step)
        where TSums : struct, IBlockSums =>
        (Vector256.ConvertToSingle(sums.Sums(values)) - Vector256.Load(factors + CorrectionsAt)) * Vector256.Load(factors + ScalesAt) * step;

    /// <summary>
    /// A bound on |approximate − exact float32 score| for one row: with e ≈ s·q (row) and u ≈ t·v (query),
    /// e·u − s·t·(q·v) = (e − s·q)·u + s·q·(u − t·v), so by Cauchy–Schwarz the error is at most
    /// ‖e − s·q‖₂·‖u‖₂ + s·‖q‖₂·‖u − t·v‖₂: a per-row factor times a per-query norm, twice. Converting the integer sum
    /// to float and scaling it costs three roundings of at most 2^-24 of |s·t·(q·v)| ≤ s·‖q‖₂·(‖u‖₂ + ‖u − t·v‖₂): the
    /// 2^-21 shares of the per-row factors.
    /// </summary>
    private static unsafe float Bound(float* errors, int lane, in QuantizedQuery query) =>
        errors[NormErrorsAt + lane] * query.Norm + errors[ResidualErrorsAt + lane] * query.ResidualNorm;

    /// <summary>The query as offset unsigned bytes with the terms of its error bound.</summary>
    private readonly ref struct QuantizedQuery
    {
        /// <param name="groups">
        /// Receives, per group of 4 dimensions, the group's 4 query bytes repeated for the block's 8 rows (32 bytes);
        /// padding dimensions hold level 0.
        /// </param>
        public QuantizedQuery(ReadOnlySpan<float> query, Span<byte> groups)
        {
            var maxAbs = Math.Abs(TensorPrimitives.MaxMagnitude(query));
            var step = maxAbs > 0 && float.IsFinite(maxAbs) ? maxAbs / QueryLevels : 1f;
            groups.Fill(QueryOffset);
            double residualSquares = 0, squares = 0;
            for (var d = 0; d < query.Length; d++)
            {
                var level = (int)Math.Clamp(MathF.Round(query[d] / step), -QueryLevels, QueryLevels);
                var groupStart = d / GroupDims * GroupBytes + d % GroupDims;
                for (var lane = 0; lane < BlockRows; lane++)
                {
                    groups[groupStart + lane * GroupDims] = (byte)(level + QueryOffset);
                }
                var residual = query[d] - (double)step * level;
                residualSquares += residual * residual;
                squares += (double)query[d] * query[d];
            }
            Step = step;
            Norm = (float)(Math.Sqrt(squares) * 1.001);
            ResidualNorm = (float)(Math.Sqrt(residualSquares) * 1.001);
        }

        /// <summary>t: the query value of one level.</summary>
        public float Step { get; }
        /// <summary>‖u‖₂, rounded up.</summary>
        public float Norm { get; }
        /// <summary>‖u − t·v‖₂, rounded up.</summary>
        public float ResidualNorm { get; }
    }
}
