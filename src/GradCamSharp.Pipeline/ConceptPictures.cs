using GradCamSharp.Factorization;
using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using SkiaSharp;

namespace GradCamSharp.Pipeline;

/// <summary>
/// The pictures of a Deep Feature Factorization of one photo, as pytorch-grad-cam's tutorial shows them: every
/// concept over the photo, each in its own colour where it is strongest, and one picture per concept, labelled with
/// the classes it raises most; and a panel of them all.
/// </summary>
public sealed class ConceptPictures : IDisposable
{
    private ConceptPictures(SKBitmap combined, IReadOnlyList<SKBitmap> concepts, SKBitmap panel,
        IReadOnlyList<string> captions)
    {
        Combined = combined;
        Concepts = concepts;
        Panel = panel;
        Captions = captions;
    }

    /// <summary>Every concept over the photo, each pixel in the colour of the strongest one.</summary>
    public SKBitmap Combined { get; }

    /// <summary>Each concept's map over the photo.</summary>
    public IReadOnlyList<SKBitmap> Concepts { get; }

    /// <summary>The photo, <see cref="Combined"/> and every concept, captioned.</summary>
    public SKBitmap Panel { get; }

    /// <summary>Each concept's caption: its classes with their probabilities, best first.</summary>
    public IReadOnlyList<string> Captions { get; }

    /// <summary>Draws the concepts of <paramref name="parts"/> for sample <paramref name="sample"/>.</summary>
    /// <param name="photo">The photo.</param>
    /// <param name="prepared">How the photo became the model's input (to place the maps back on it).</param>
    /// <param name="parts">The factorisation.</param>
    /// <param name="label">A class's name.</param>
    /// <param name="name">The photo's name, under it in the panel.</param>
    /// <param name="sample">Which sample of the factorised batch the photo is.</param>
    /// <param name="colormap">The colormap of each concept's picture.</param>
    public static ConceptPictures Draw(SKBitmap photo, PreparedImage prepared, ConceptFactorization parts,
        Func<int, string> label, string name, int sample = 0, IColormap? colormap = null)
    {
        ArgumentNullException.ThrowIfNull(photo);
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(label);
        colormap ??= KnownColormaps.Get(KnownColormaps.Default);
        Heatmap[] maps = [.. parts.Concepts.Select(c => prepared.ToOriginal(c.Maps[sample]))];
        string[] captions = [.. parts.Concepts.Select(c => string.Join(", ",
            c.Classes.Select(k => $"{label(k.ClassIndex)} {k.Probability:0.00}")))];
        SKBitmap combined = ConceptRenderer.Combined(photo, maps);
        SKBitmap[] concepts = [.. maps.Select(map => Renderer.Overlay(photo, map, colormap))];
        var tiles = new List<PanelTile> { new(photo, "original", name), new(combined, "concepts", parts.Layer) };
        tiles.AddRange(concepts.Select((bitmap, k) => new PanelTile(bitmap, $"concept {k + 1}", captions[k])));
        return new ConceptPictures(combined, concepts, Imaging.Panel.Compose(tiles), captions);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Combined.Dispose();
        Panel.Dispose();
        foreach (SKBitmap concept in Concepts) concept.Dispose();
    }
}
