namespace Recommender.Model.Bundle;

/// <summary>
/// Variable-length rows of item indices in compressed-row form: row r is Values[Offsets[r]..Offsets[r + 1]).
/// Offsets has RowCount + 1 entries, starts at 0, never decreases and ends at Values.Length.
/// </summary>
public sealed class RaggedIndexTable
{
    public RaggedIndexTable(int[] offsets, int[] values)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(values);
        var problem = FindProblem(offsets, values.Length);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(offsets));
        }
        Offsets = offsets;
        Values = values;
    }

    public int[] Offsets { get; }
    public int[] Values { get; }
    public int RowCount => Offsets.Length - 1;

    public ReadOnlySpan<int> Row(int row) => Values.AsSpan(Offsets[row], Offsets[row + 1] - Offsets[row]);

    public static RaggedIndexTable FromRows(IReadOnlyList<IReadOnlyList<int>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var offsets = new int[rows.Count + 1];
        long total = 0;
        for (var row = 0; row < rows.Count; row++)
        {
            total += rows[row].Count;
            if (total > int.MaxValue)
            {
                throw new ArgumentException($"The rows hold more than {int.MaxValue} values.", nameof(rows));
            }
            offsets[row + 1] = (int)total;
        }
        var values = new int[total];
        for (var row = 0; row < rows.Count; row++)
        {
            var start = offsets[row];
            for (var i = 0; i < rows[row].Count; i++)
            {
                values[start + i] = rows[row][i];
            }
        }
        return new RaggedIndexTable(offsets, values);
    }

    /// <summary>The first value outside [0, exclusiveMax), as a message, or null.</summary>
    public string? FindValueOutOfRange(int exclusiveMax)
    {
        for (var row = 0; row < RowCount; row++)
        {
            foreach (var value in Row(row))
            {
                if ((uint)value >= (uint)exclusiveMax)
                {
                    return $"row {row} holds index {value}, outside 0..{exclusiveMax - 1}";
                }
            }
        }
        return null;
    }

    internal static string? FindProblem(int[] offsets, int valueCount)
    {
        if (offsets.Length == 0 || offsets[0] != 0)
        {
            return "offsets must start with 0";
        }
        for (var row = 1; row < offsets.Length; row++)
        {
            if (offsets[row] < offsets[row - 1])
            {
                return $"offsets decrease at row {row - 1} ({offsets[row - 1]} then {offsets[row]})";
            }
        }
        if (offsets[^1] != valueCount)
        {
            return $"offsets end at {offsets[^1]} but there are {valueCount} values";
        }
        return null;
    }
}
