using GradCamSharp.Imaging;
using GradCamSharp.Methods;
using GradCamSharp.Models;

namespace GradCamSharp.Pipeline;

/// <summary>What to explain in each photo and how to draw it: the same for the command line and the web demo.</summary>
public sealed record ExplanationSettings
{
    /// <summary>Classes by index or label; empty means the top classes.</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];

    /// <summary>How many top classes when <see cref="Classes"/> is empty.</summary>
    public int Top { get; init; } = 1;

    /// <summary>Method names (see <see cref="KnownMethods"/>), or "all" for the paper's four.</summary>
    public IReadOnlyList<string> Methods { get; init; } = [KnownMethods.GradCam];

    /// <summary>The target layer, or <see cref="ModelLayers.Auto"/>.</summary>
    public string Layer { get; init; } = ModelLayers.Auto;

    /// <summary>
    /// Several target layers whose maps are fused, each method's into one (the mean of the upsampled maps); when
    /// empty, <see cref="Layer"/> alone.
    /// </summary>
    public IReadOnlyList<string> Layers { get; init; } = [];

    /// <summary>How maps at several <see cref="Layers"/> are fused: the mean, or LayerCAM's scaled sum.</summary>
    public LayerFusion LayerFusion { get; init; }

    /// <summary>The heatmap colormap.</summary>
    public string Colormap { get; init; } = KnownColormaps.Default;

    /// <summary>Project the CAM methods' weighted maps on their first principal component (see
    /// <see cref="CamOptions.EigenSmooth"/>).</summary>
    public bool EigenSmooth { get; init; }

    /// <summary>Average the maps over flips and value scalings (<see cref="MethodSetOptions.AugSmooth"/>).</summary>
    public bool AugSmooth { get; init; }

    /// <summary>
    /// A region [x0, y0, x1, y1) in photo pixels: explain the sum of a dense output (a text detector's probability
    /// map) inside it instead of classes.
    /// </summary>
    public IReadOnlyList<int>? Region { get; init; }

    /// <summary>
    /// A mask picture of the photo's size whose light pixels (brighter than mid-grey) mark where a segmenter's
    /// classes are explained, instead of the pixels the model assigns to them; needs <see cref="Classes"/>.
    /// </summary>
    public string? Mask { get; init; }

    /// <summary>
    /// Perturbed inputs per forward pass for Score-CAM, Ablation-CAM, occlusion, SmoothGrad and Integrated Gradients;
    /// 0 chooses from the input's size (see <see cref="RunOptions.BatchSize"/>).
    /// </summary>
    public int BatchSize { get; init; }

    /// <summary>How a token layer folds into a map, where it cannot be inferred (see <see cref="CamOptions.Tokens"/>).
    /// </summary>
    public TokenGrid? Tokens { get; init; }

    /// <summary>Keep each map's values at the photo's size (written as .npy beside the PNG).</summary>
    public bool SaveMaps { get; init; }

    /// <summary>
    /// What the model's work depends on, as text: settings with the same key give the same maps of the same photo
    /// (the colormap and saving the maps' values change only the drawing), so a server may explain photos of such
    /// settings in one pass. Null with a region or a mask, which are given per photo.
    /// </summary>
    public string? ModelWorkKey => Region is not null || Mask is not null ? null : string.Join("|",
        string.Join(",", Classes), Top, string.Join(",", Methods), Layer, string.Join(",", Layers), LayerFusion,
        EigenSmooth, AugSmooth, BatchSize, Tokens);

    /// <summary>The set of methods these settings ask for, on <paramref name="model"/>.</summary>
    /// <exception cref="UsageException">An unknown method or layer.</exception>
    public MethodSet CreateMethods(IExplainableModel model) => KnownMethods.CreateSet(Methods, model,
        new CamOptions { Layer = Layer, EigenSmooth = EigenSmooth, Tokens = Tokens },
        new MethodSetOptions { AugSmooth = AugSmooth, LayerFusion = LayerFusion }, Layers);

    /// <summary>How a run with these settings goes, with progress and cancellation of long methods.</summary>
    /// <exception cref="UsageException">A negative batch size.</exception>
    public RunOptions RunOptions(IProgress<MethodProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (BatchSize < 0) throw new UsageException($"--batch-size must be at least 1 (or 0 for automatic), got " +
            $"{BatchSize}");
        return new RunOptions { BatchSize = BatchSize, Progress = progress, Cancellation = cancellation };
    }
}
