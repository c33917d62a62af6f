namespace GradCamSharp.OnnxRuntime;

/// <summary>
/// One compared value: the largest absolute and relative differences between ONNX Runtime and the import.
/// </summary>
/// <param name="Name">The ONNX value.</param>
/// <param name="Operator">The operator that produces it.</param>
/// <param name="Node">The node's name.</param>
/// <param name="MaxAbsolute">max |ort - import|.</param>
/// <param name="MaxRelative">max |ort - import| / max |ort|.</param>
/// <param name="Agrees">
/// Within tolerance, absolute plus relative as numpy.allclose: max |ort - import| &lt;=
/// <see cref="OnnxVerifier.AbsoluteTolerance"/> + <see cref="OnnxVerifier.RelativeTolerance"/> x max |ort|.
/// </param>
/// <param name="Shape">The import's shape of it (a detector's outputs say how many detections were compared).</param>
public sealed record ValueComparison(string Name, string Operator, string Node, double MaxAbsolute, double MaxRelative,
    bool Agrees, long[]? Shape = null);
