using GradCamSharp.Imaging;
using GradCamSharp.Pipeline;

namespace GradCamSharp.VisionLanguage;

/// <summary>What <c>gradcam caption</c> or <c>gradcam vqa</c> should do.</summary>
public sealed record VisionLanguageJob
{
    /// <summary>The photos or scenes.</summary>
    public required IReadOnlyList<string> Images { get; init; }

    /// <summary>Methods, layer (the encoder's output when "auto") and colormap.</summary>
    public required ExplanationSettings Settings { get; init; }

    /// <summary>The output folder.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Pixel limit, output size and whether truncated photos are accepted.</summary>
    public ImageDecodeOptions Decoding { get; init; } = ImageDecodeOptions.Default;

    /// <summary>Write into a folder that holds files gradcam did not write (they are left alone).</summary>
    public bool Overwrite { get; init; }

    /// <summary>Captioner: the caption to explain; null for the model's own.</summary>
    public string? Caption { get; init; }

    /// <summary>
    /// Captioner: phrases to read one by one, each with the box it describes when known (the paper's dense-captioning
    /// figure); when any are given, <see cref="Caption"/> is not used.
    /// </summary>
    public IReadOnlyList<DescribedBox> Phrases { get; init; } = [];

    /// <summary>
    /// Captioner: the phrases of each photo, by its file name (from a scenes index: each object's phrase and box);
    /// used when <see cref="Phrases"/> is empty.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<DescribedBox>> PhrasesByImage { get; init; } =
        new Dictionary<string, IReadOnlyList<DescribedBox>>();

    /// <summary>Captioner: the beam width of the model's own caption (1: greedy decoding).</summary>
    public int BeamWidth { get; init; } = 1;

    /// <summary>VQA: the question.</summary>
    public string? Question { get; init; }

    /// <summary>VQA: the answers to explain; empty for the model's top ones.</summary>
    public IReadOnlyList<string> Answers { get; init; } = [];

    /// <summary>VQA: how many of the top answers to explain when none are given.</summary>
    public int TopAnswers { get; init; } = 1;
}
