namespace GradCamSharp.Classification;

/// <summary>
/// A small picture of one method's map on one case, with the annotated and the 15%-of-max boxes drawn.
/// </summary>
/// <param name="Image">The picture's name.</param>
/// <param name="Label">The object.</param>
/// <param name="Method">The method.</param>
/// <param name="Png">The thumbnail, PNG-encoded.</param>
public sealed record EvaluationThumbnail(string Image, string Label, string Method, byte[] Png);
