using GradCamSharp.Methods;

namespace GradCamSharp.Classification;

/// <summary>What one evaluation pass computes.</summary>
public sealed record EvaluationOptions
{
    /// <summary>The methods, each run on every case in the same pass.</summary>
    public IReadOnlyList<string> Methods { get; init; } = [KnownMethods.GradCam];

    /// <summary>Compute faithfulness (needs the occlusion map of each case: its costliest part).</summary>
    public bool Faithfulness { get; init; } = true;

    /// <summary>The steps of the deletion and insertion curves (of the input's pixels, removed or restored).</summary>
    public int DeletionSteps { get; init; } = 16;

    /// <summary>
    /// Compute ROAD (most and least relevant first, each share of the pixels removed and imputed) and ARCC (which adds
    /// one more explanation per map, of the image multiplied by it): about two seconds per map on 2 cores.
    /// </summary>
    public bool Road { get; init; } = true;

    /// <summary>
    /// Add <c>randomcam</c> as the last method when it is not asked for: the chance level that every metric's table
    /// shows, so that each method's distance above chance can be read.
    /// </summary>
    public bool Baseline { get; init; } = true;

    /// <summary>
    /// The bands of the sanity checks: the weights randomised from the top in this many steps (cascading), and each
    /// band alone (independent); 0 skips them.
    /// </summary>
    public int SanitySteps { get; init; } = 4;

    /// <summary>How many cases get a thumbnail of each method's map (for the report).</summary>
    public int Thumbnails { get; init; } = 12;

    /// <summary>
    /// How many objects the model does not rank first the report's gallery shows (the photo, the map of the predicted
    /// class and the map of the true class): those whose top-1 class is absent from the picture first, then those
    /// where it is another object of the picture.
    /// </summary>
    public int FailureGallery { get; init; } = 12;

    /// <summary>The seed of the random weights and of the bootstrap.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Box labels to class names (eagle=bird), besides matching by name.</summary>
    public IReadOnlyDictionary<string, string> Aliases { get; init; } = new Dictionary<string, string>();
}
