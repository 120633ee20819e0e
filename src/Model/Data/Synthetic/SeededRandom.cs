namespace Recommender.Model.Data.Synthetic;

/// <summary>
/// xoshiro256** seeded through SplitMix64: a fixed algorithm, so generated data sets do not change when the
/// runtime's <see cref="Random"/> implementation does.
/// </summary>
internal struct SeededRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    /// <summary>An independent stream for (seed, stream), for example one per user.</summary>
    public SeededRandom(int seed, long stream)
    {
        var state = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)stream * 0xD1B54A32D192ED03UL);
        _s0 = SplitMix(ref state);
        _s1 = SplitMix(ref state);
        _s2 = SplitMix(ref state);
        _s3 = SplitMix(ref state);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var shifted = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= shifted;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, maxExclusive).</summary>
    public int NextInt(int maxExclusive) => (int)((NextUInt64() >> 32) * (ulong)maxExclusive >> 32);

    /// <summary>Uniform in [0, maxExclusive) for long ranges.</summary>
    public long NextLong(long maxExclusive) => (long)(NextDouble() * maxExclusive);

    /// <summary>Standard normal (Box–Muller).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Exponential with mean 1.</summary>
    public double NextExponential() => -Math.Log(1.0 - NextDouble());

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>Vose's alias method: O(1) draws from a fixed discrete distribution.</summary>
internal sealed class AliasTable
{
    private readonly double[] _probability;
    private readonly int[] _alias;

    public AliasTable(ReadOnlySpan<double> weights)
    {
        var count = weights.Length;
        _probability = new double[count];
        _alias = new int[count];
        var total = 0.0;
        foreach (var weight in weights)
        {
            total += weight;
        }
        var scaled = new double[count];
        var small = new Stack<int>();
        var large = new Stack<int>();
        for (var index = count - 1; index >= 0; index--)
        {
            scaled[index] = weights[index] * count / total;
            (scaled[index] < 1.0 ? small : large).Push(index);
        }
        while (small.Count > 0 && large.Count > 0)
        {
            var less = small.Pop();
            var more = large.Pop();
            _probability[less] = scaled[less];
            _alias[less] = more;
            scaled[more] = scaled[more] + scaled[less] - 1.0;
            (scaled[more] < 1.0 ? small : large).Push(more);
        }
        while (large.Count > 0)
        {
            _probability[large.Pop()] = 1.0;
        }
        // Left over only through rounding error: they are full columns.
        while (small.Count > 0)
        {
            _probability[small.Pop()] = 1.0;
        }
    }

    public int Sample(ref SeededRandom random)
    {
        var column = random.NextInt(_probability.Length);
        return random.NextDouble() < _probability[column] ? column : _alias[column];
    }
}
