using GradCamSharp.Onnx.Proto;
using GradCamSharp.Targets;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx;

/// <summary>
/// The outputs of a detector that lists its detections, as torchvision's SSD, RetinaNet and Faster R-CNN exports do:
/// boxes [D, 4], scores [D] and labels [D], post-processing included.
/// </summary>
/// <param name="Boxes">The boxes' output, x0, y0, x1, y1 in input pixels.</param>
/// <param name="Scores">The scores' output.</param>
/// <param name="Labels">The labels' output (integers).</param>
public sealed record ListedDetections(string Boxes, string Scores, string Labels)
{
    /// <summary>
    /// The three outputs of <paramref name="module"/>, by their declared types: exactly three outputs, one floating
    /// [D, 4], one floating [D] and one integer [D]; null for any other model.
    /// </summary>
    public static ListedDetections? Find(OnnxModule module)
    {
        ArgumentNullException.ThrowIfNull(module);
        ValueInfoProto[] outputs = [.. module.Proto.Graph.Output];
        if (outputs.Length != 3) return null;
        string? Only(Func<ValueInfoProto, bool> matches) =>
            outputs.Count(matches) == 1 ? outputs.First(matches).Name : null;
        string? boxes = Only(v => IsFloating(v) && Dims(v) is [_, { DimValue: 4 }]);
        string? scores = Only(v => IsFloating(v) && Dims(v) is [_]);
        string? labels = Only(v => IsInteger(v) && Dims(v) is [_]);
        return boxes is null || scores is null || labels is null ? null : new ListedDetections(boxes, scores, labels);
    }

    /// <summary>One sample's outputs, by name, as <see cref="BoxList"/> rows [D, 6].</summary>
    internal Tensor Rows(IReadOnlyDictionary<string, Tensor> outputs) =>
        BoxList.Rows(outputs[Boxes], outputs[Scores], outputs[Labels]);

    private static TensorShapeProto.Types.Dimension[] Dims(ValueInfoProto value) =>
        value.Type?.TensorType?.Shape?.Dim.ToArray() ?? [];

    private static bool IsFloating(ValueInfoProto value) =>
        value.Type?.TensorType?.ElemType is (int)TensorProto.Types.DataType.Float
            or (int)TensorProto.Types.DataType.Double or (int)TensorProto.Types.DataType.Float16;

    private static bool IsInteger(ValueInfoProto value) =>
        value.Type?.TensorType?.ElemType is (int)TensorProto.Types.DataType.Int64
            or (int)TensorProto.Types.DataType.Int32;
}
