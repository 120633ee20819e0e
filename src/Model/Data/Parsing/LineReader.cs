using System.Security.Cryptography;

namespace Recommender.Model.Data.Parsing;

/// <summary>
/// Reads a stream line by line as byte spans (no strings), stripping "\r\n" or "\n" and a leading UTF-8 byte order
/// mark, and feeds every byte it reads to the load's fingerprint hash. A last line without "\n" is still a line.
/// </summary>
internal sealed class LineReader(Stream stream, IncrementalHash hash, int bufferSize = 1 << 16)
{
    private byte[] _buffer = new byte[bufferSize];
    private int _start;
    private int _end;
    private bool _endOfStream;

    public long LineNumber { get; private set; }
    public long BytesRead { get; private set; }

    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            var newline = available.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = Clean(available[..newline]);
                _start += newline + 1;
                return true;
            }
            if (_endOfStream)
            {
                if (available.IsEmpty)
                {
                    line = default;
                    return false;
                }
                line = Clean(available);
                _start = _end;
                return true;
            }
            Fill();
        }
    }

    private ReadOnlySpan<byte> Clean(ReadOnlySpan<byte> line)
    {
        LineNumber++;
        if (LineNumber == 1 && line.StartsWith(ByteOrderMark))
        {
            line = line[ByteOrderMark.Length..];
        }
        return line.EndsWith((byte)'\r') ? line[..^1] : line;
    }

    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    private void Fill()
    {
        var pending = _end - _start;
        if (pending == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        else if (_start > 0)
        {
            _buffer.AsSpan(_start, pending).CopyTo(_buffer);
        }
        _start = 0;
        _end = pending;
        var read = stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _endOfStream = true;
            return;
        }
        hash.AppendData(_buffer, _end, read);
        BytesRead += read;
        _end += read;
    }
}
