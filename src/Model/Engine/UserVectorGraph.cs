namespace Recommender.Model.Engine;

/// <summary>
/// The interface of the exported ONNX graph that computes user vectors (see docs/architecture.md, "The inference contract"):
/// <c>history</c> int64 [batch, steps] movie indices, oldest first, padded after each row's length;
/// <c>lengths</c> int32 [batch] valid steps per row (at least 1);
/// <c>user_embedding</c> float [batch, D] the graph part g (G[user] or the anonymous vector);
/// output <c>user_vector</c> float [batch, D].
/// </summary>
public static class UserVectorGraph
{
    public const string HistoryInput = "history";
    public const string LengthsInput = "lengths";
    public const string UserEmbeddingInput = "user_embedding";
    public const string UserVectorOutput = "user_vector";

    /// <summary>The ONNX opset the graph is written against.</summary>
    public const int OpsetVersion = 17;
}
