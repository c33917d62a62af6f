using GradCamSharp.Methods;

namespace GradCamSharp.Evaluation;

/// <summary>How <see cref="Occlusion"/> slides its patch.</summary>
public sealed record OcclusionOptions
{
    /// <summary>The square patch's side, in input pixels.</summary>
    public int Patch { get; init; } = 32;

    /// <summary>The step between patch positions, in input pixels.</summary>
    public int Stride { get; init; } = 16;

    /// <summary>
    /// The value the patch is filled with in the model's input space (0 is the mean colour for normalised inputs).
    /// </summary>
    public float Fill { get; init; }

    /// <summary>
    /// The usual patch for an input of <paramref name="height"/> x <paramref name="width"/> (see
    /// <see cref="OcclusionSensitivity.DefaultPatch"/>).
    /// </summary>
    public static OcclusionOptions For(long height, long width)
    {
        (int patch, int stride) = OcclusionSensitivity.DefaultPatch(height, width);
        return new OcclusionOptions { Patch = patch, Stride = stride };
    }

    /// <summary>How many occluded copies go through the model at once.</summary>
    public int BatchSize { get; init; } = 16;
}
