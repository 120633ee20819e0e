using System.Runtime.InteropServices;
using Onnx;

namespace Recommender.Model.Engine;

/// <summary>Node lookup and the checked reading of attributes and initializers for <see cref="UserVectorGraphMatcher"/>.</summary>
internal sealed partial class UserVectorGraphMatcher
{
    private bool IsProducedBy(string value, string opType) => _producers.TryGetValue(value, out var producer) && producer.Node.OpType == opType;

    private NodeProto Producer(string value, string opType, string role, int output = 0)
    {
        if (!_producers.TryGetValue(value, out var producer))
        {
            throw new UnsupportedGraphException($"'{value}' ({role}) is not produced by a node; expected {opType}");
        }
        var node = producer.Node;
        if (node.OpType != opType || node.Domain is not ("" or "ai.onnx"))
        {
            throw Refuse(node, $"produces '{value}' ({role}); expected an ONNX {opType}");
        }
        if (producer.Output != output)
        {
            throw Refuse(node, $"output {producer.Output} is used for {role}; expected output {output}");
        }
        _matched.Add(node);
        return node;
    }

    private static void RequireShape(NodeProto node, int? inputs, string[] attributes)
    {
        if (inputs is not null && node.Input.Count != inputs)
        {
            throw Refuse(node, $"has {node.Input.Count} inputs; expected {inputs}");
        }
        var unknown = node.Attribute.FirstOrDefault(attribute => !attributes.Contains(attribute.Name));
        if (unknown is not null)
        {
            throw Refuse(node, $"attribute '{unknown.Name}' is not supported");
        }
    }

    private static void RequireInputs(NodeProto node, params string[] inputs)
    {
        if (!node.Input.SequenceEqual(inputs))
        {
            throw Refuse(node, $"inputs are [{string.Join(", ", node.Input)}]; expected [{string.Join(", ", inputs)}]");
        }
    }

    private static long? IntAttribute(NodeProto node, string name, long? absent) =>
        TypedAttribute(node, name, AttributeProto.Types.AttributeType.Int, attribute => (long?)attribute.I, absent);

    private static float FloatAttribute(NodeProto node, string name, float absent) =>
        TypedAttribute(node, name, AttributeProto.Types.AttributeType.Float, attribute => attribute.F, absent);

    private static string StringAttribute(NodeProto node, string name, string absent) =>
        TypedAttribute(node, name, AttributeProto.Types.AttributeType.String, attribute => attribute.S.ToStringUtf8(), absent);

    private static T TypedAttribute<T>(NodeProto node, string name, AttributeProto.Types.AttributeType type, Func<AttributeProto, T> read, T absent)
    {
        var attribute = node.Attribute.FirstOrDefault(candidate => candidate.Name == name);
        if (attribute is null)
        {
            return absent;
        }
        return attribute.Type == type
            ? read(attribute)
            : throw Refuse(node, $"attribute '{name}' is of type {attribute.Type}; expected {type.ToString().ToUpperInvariant()}");
    }

    private static long[] Ints(NodeProto node, string name) =>
        [.. node.Attribute.First(attribute => attribute.Name == name).Ints];

    private TensorProto Initializer(string name, NodeProto node, string role)
    {
        if (!_initializers.TryGetValue(name, out var tensor))
        {
            throw Refuse(node, $"input '{name}' ({role}) is not an initializer");
        }
        if (tensor.DataLocation != TensorProto.Types.DataLocation.Default)
        {
            throw Refuse(node, $"initializer '{name}' keeps its data outside the model");
        }
        return tensor;
    }

    private long[] Dims(string name, NodeProto node, string role) => [.. Initializer(name, node, role).Dims];

    private float[] FloatInitializer(string name, NodeProto node, params long[] shape)
    {
        var tensor = Initializer(name, node, "a weight");
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw Refuse(node, $"initializer '{name}' has element type {(TensorProto.Types.DataType)tensor.DataType}; expected Float");
        }
        if (!tensor.Dims.SequenceEqual(shape))
        {
            throw Refuse(node, $"initializer '{name}' has shape [{string.Join(", ", tensor.Dims)}]; expected [{string.Join(", ", shape)}]");
        }
        var count = shape.Aggregate(1L, (product, dim) => product * dim);
        var values = tensor.RawData.Length > 0
            ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray()
            : [.. tensor.FloatData];
        if (values.LongLength != count || (tensor.RawData.Length > 0 && tensor.RawData.Length != count * sizeof(float)))
        {
            throw Refuse(node, $"initializer '{name}' holds {values.LongLength} values; its shape needs {count}");
        }
        return values;
    }

    private long[] Int64Initializer(string name, NodeProto node)
    {
        var tensor = Initializer(name, node, "an int64 constant");
        if (tensor.DataType != (int)TensorProto.Types.DataType.Int64 || tensor.Dims.Count != 1)
        {
            throw Refuse(node, $"initializer '{name}' is not a 1-D Int64 tensor");
        }
        var values = tensor.RawData.Length > 0
            ? MemoryMarshal.Cast<byte, long>(tensor.RawData.Span).ToArray()
            : [.. tensor.Int64Data];
        if (values.LongLength != tensor.Dims[0])
        {
            throw Refuse(node, $"initializer '{name}' holds {values.LongLength} values; its shape needs {tensor.Dims[0]}");
        }
        return values;
    }

    private static string Describe(NodeProto node) =>
        $"node '{(node.Name.Length > 0 ? node.Name : node.Output.FirstOrDefault() ?? "?")}' ({node.OpType})";

    private static UnsupportedGraphException Refuse(NodeProto node, string problem) => new($"{Describe(node)}: {problem}");
}
