using GradCamSharp.Maps;

namespace GradCamSharp.Pipeline;

/// <summary>One annotated object: a photo, the object's label and its box in the photo's pixels.</summary>
public sealed record EvaluationCase(string Image, string Label, Box Box);
