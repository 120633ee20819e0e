using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Recommender.Training.Models;

/// <summary>
/// SASRec (Kang &amp; McAuley 2018): item plus learned position embeddings, dropout, pre-norm transformer blocks of
/// causal self-attention and a GELU feed-forward, and a final LayerNorm. Sequences are right-padded with the padding
/// index <see cref="ItemCount"/>; position 0 is a window's oldest item. Under the causal mask a valid position attends
/// only to itself and the valid positions before it, so its state is the same whatever padding follows.
/// An item's score at a position is the state · the item's embedding (the embedding is shared, as in RecBole).
/// </summary>
internal sealed class SasRecNetwork : nn.Module
{
    private const double InitStd = 0.02;

    private readonly Embedding items;
    private readonly Embedding positions;
    private readonly Dropout embeddingDropout;
    private readonly ModuleList<SasRecBlock> blocks;
    private readonly LayerNorm finalNorm;

    public SasRecNetwork(int itemCount, int maxLength, int blockCount, int heads, int hidden, int inner, double hiddenDropout, double attentionDropout)
        : base(nameof(SasRecNetwork))
    {
        ItemCount = itemCount;
        MaxLength = maxLength;
        items = nn.Embedding(itemCount + 1, hidden, padding_idx: itemCount);
        positions = nn.Embedding(maxLength, hidden);
        embeddingDropout = nn.Dropout(hiddenDropout);
        blocks = nn.ModuleList(Enumerable.Range(0, blockCount).Select(_ => new SasRecBlock(hidden, heads, inner, hiddenDropout, attentionDropout)).ToArray());
        finalNorm = nn.LayerNorm(hidden);
        RegisterComponents();
        Initialise();
    }

    public int ItemCount { get; }
    public int MaxLength { get; }

    /// <summary>The item embeddings [N, D] without the padding row.</summary>
    public Tensor ItemTable => items.weight!.narrow(0, 0, ItemCount);

    /// <summary>The state at every position [B, T, D] of right-padded item sequences [B, T] (T ≤ L).</summary>
    public Tensor Encode(Tensor sequences)
    {
        var length = sequences.shape[1];
        if (length > MaxLength)
        {
            throw new ArgumentException($"Sequences of {length} positions are longer than the network's {MaxLength}.", nameof(sequences));
        }
        var padding = sequences.eq(ItemCount);
        var positionIndices = arange(length, dtype: ScalarType.Int64, device: sequences.device).unsqueeze(0);
        var x = embeddingDropout.call(items.call(sequences) + positions.call(positionIndices));
        // −∞ above the diagonal: position t may not attend to a later one. Additive, as libtorch's C++ attention adds
        // attn_mask to the attention logits whatever its type (a bool mask would add 1, masking nothing).
        var causal = full(length, length, float.NegativeInfinity, device: sequences.device).triu(1);
        // MultiheadAttention takes [T, B, D].
        x = x.transpose(0, 1);
        foreach (var block in blocks)
        {
            x = block.Forward(x, causal, padding);
        }
        return finalNorm.call(x.transpose(0, 1));
    }

    /// <summary>The state at each sequence's last valid position [B, D]; <paramref name="lengths"/> [B] must be positive.</summary>
    public Tensor EncodeLast(Tensor sequences, Tensor lengths)
    {
        var states = Encode(sequences);
        var last = (lengths - 1).view(-1, 1, 1).expand(-1, 1, states.shape[2]);
        return states.gather(1, last).squeeze(1);
    }

    /// <summary>RecBole's initialisation: normal(0, 0.02) weights, zero biases, LayerNorm at identity, zero padding row.</summary>
    private void Initialise()
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith("bias", StringComparison.Ordinal))
            {
                parameter.zero_();
            }
            else if (name.Contains("norm", StringComparison.OrdinalIgnoreCase))
            {
                parameter.fill_(1);
            }
            else
            {
                parameter.normal_(0, InitStd);
            }
        }
        items.weight![ItemCount].zero_();
    }
}

/// <summary>One pre-norm block: x + Dropout(Attention(LN(x))), then x + Dropout(FeedForward(LN(x))), on [T, B, D].</summary>
internal sealed class SasRecBlock : nn.Module
{
    private readonly LayerNorm attentionNorm;
    private readonly MultiheadAttention attention;
    private readonly Dropout attentionOutputDropout;
    private readonly LayerNorm feedForwardNorm;
    private readonly Linear expand;
    private readonly GELU activation;
    private readonly Linear contract;
    private readonly Dropout feedForwardDropout;

    public SasRecBlock(int hidden, int heads, int inner, double hiddenDropout, double attentionDropout) : base(nameof(SasRecBlock))
    {
        attentionNorm = nn.LayerNorm(hidden);
        attention = nn.MultiheadAttention(hidden, heads, dropout: attentionDropout);
        attentionOutputDropout = nn.Dropout(hiddenDropout);
        feedForwardNorm = nn.LayerNorm(hidden);
        expand = nn.Linear(hidden, inner);
        activation = nn.GELU();
        contract = nn.Linear(inner, hidden);
        feedForwardDropout = nn.Dropout(hiddenDropout);
        RegisterComponents();
    }

    /// <param name="x">[T, B, D]</param>
    /// <param name="causal">[T, T], added to the attention logits: −∞ where attention is not allowed, else 0</param>
    /// <param name="padding">[B, T], true at padding positions</param>
    public Tensor Forward(Tensor x, Tensor causal, Tensor padding)
    {
        var normed = attentionNorm.call(x);
        var (attended, weights) = attention.call(normed, normed, normed, key_padding_mask: padding, need_weights: false, attn_mask: causal);
        weights?.Dispose();
        x = x + attentionOutputDropout.call(attended);
        var feedForward = contract.call(activation.call(expand.call(feedForwardNorm.call(x))));
        return x + feedForwardDropout.call(feedForward);
    }
}
