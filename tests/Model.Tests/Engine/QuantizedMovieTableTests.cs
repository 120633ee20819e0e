using Recommender.Model.Engine;

namespace Recommender.Model.Tests.Engine;

public class QuantizedMovieTableTests
{
    /// <summary>Exact float32 scoring of every row, then selection: what <see cref="QuantizedMovieTable.SelectBest"/> must equal.</summary>
    private static (int[] Items, float[] Scores) Exact(float[] table, float[] query, in ItemFilter filter, int count)
    {
        var scores = new float[table.Length / query.Length];
        MovieScoring.ScoreAll(table, query, scores);
        var items = new int[count];
        var best = new float[count];
        var found = TopKSelector.Select(scores, filter, items, best);
        return (items[..found], best[..found]);
    }

    private static (int[] Items, float[] Scores) Quantized(float[] table, float[] query, in ItemFilter filter, int count)
    {
        var quantized = new QuantizedMovieTable(table, query.Length);
        var items = new int[count];
        var best = new float[count];
        var found = quantized.SelectBest(table, query, filter, items, best);
        return (items[..found], best[..found]);
    }

    [Theory]
    [InlineData(64, 1, 1)]
    [InlineData(64, 10, 2)]
    [InlineData(64, 100, 3)]
    [InlineData(16, 10, 4)]
    [InlineData(12, 10, 5)]
    public void SelectBest_EqualsExactScoring(int dim, int count, int seed)
    {
        var random = new Random(seed);
        const int rows = 3001;
        var table = new float[rows * dim];
        for (var row = 0; row < rows; row++)
        {
            for (var d = 0; d < dim; d++)
            {
                table[row * dim + d] = (float)(random.NextDouble() * 2 - 1) * (1 + row % 7);
            }
        }
        // Exact duplicates (equal scores: the lower index must win), near-duplicates (differences far below the
        // int8 error), an all-zero row and non-finite rows.
        for (var copy = 0; copy < 40; copy++)
        {
            var source = random.Next(rows);
            var target = random.Next(rows);
            for (var d = 0; d < dim; d++)
            {
                table[target * dim + d] = table[source * dim + d] * (copy % 2 == 0 ? 1f : 1.000001f);
            }
        }
        Array.Clear(table, 17 * dim, dim);
        // Non-finite rows have no error bound: they must always be rescored (an infinite score can win, NaN never).
        table[29 * dim + 1] = float.PositiveInfinity;
        table[31 * dim + 2] = float.NaN;

        for (var trial = 0; trial < 30; trial++)
        {
            var query = Enumerable.Range(0, dim).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var excluded = new ulong[ItemFilter.BitsetLength(rows)];
            for (var i = 0; i < 200; i++)
            {
                ItemFilter.Set(excluded, random.Next(rows));
            }
            var filter = trial % 2 == 0 ? ItemFilter.None : ItemFilter.Excluding(excluded);

            var expected = Exact(table, query, filter, count);
            var actual = Quantized(table, query, filter, count);

            Assert.Equal(expected.Items, actual.Items);
            Assert.Equal(expected.Scores, actual.Scores);
        }
    }

    [Fact]
    public void SelectBest_WithFewerAcceptedRowsThanRequested_ReturnsThemAll()
    {
        var random = new Random(8);
        const int rows = 50, dim = 8;
        var table = Enumerable.Range(0, rows * dim).Select(_ => (float)random.NextDouble()).ToArray();
        var query = Enumerable.Range(0, dim).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var excluded = new ulong[1];
        for (var row = 0; row < rows; row += 2)
        {
            ItemFilter.Set(excluded, row);
        }
        var filter = ItemFilter.Excluding(excluded);

        var actual = Quantized(table, query, filter, 40);

        Assert.Equal(25, actual.Items.Length);
        Assert.Equal(Exact(table, query, filter, 40).Items, actual.Items);
    }

    [Fact]
    public void ApproximateScores_StayWithinTheirBounds()
    {
        var random = new Random(9);
        const int rows = 5000, dim = 64, count = 10;
        var table = Enumerable.Range(0, rows * dim).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var quantized = new QuantizedMovieTable(table, dim);
        var query = Enumerable.Range(0, dim).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var approximate = new float[rows];
        var bounds = new float[rows];
        var exact = new float[rows];

        quantized.ApproximateScores(query, approximate, bounds);
        MovieScoring.ScoreAll(table, query, exact);

        for (var row = 0; row < rows; row++)
        {
            Assert.InRange(Math.Abs(approximate[row] - exact[row]), 0, bounds[row]);
        }
        // The bounds only pay if they prune: few rows' upper bounds may reach the 10th best lower bound, the rows that
        // ranking must rescore exactly.
        var threshold = Enumerable.Range(0, rows).Select(row => approximate[row] - bounds[row]).OrderDescending().ElementAt(count - 1);
        var rescored = Enumerable.Range(0, rows).Count(row => approximate[row] + bounds[row] >= threshold);
        Assert.True(rescored <= 0.01 * rows, $"{rescored} of {rows} rows would be rescored for the top {count}");
    }
}
