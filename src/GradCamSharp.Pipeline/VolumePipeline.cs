using System.Text.Json;
using GradCamSharp.Catalog;
using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Targets;
using SkiaSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Pipeline;

/// <summary>
/// Explains volumes (<see cref="VolumeInput"/>) with a model whose input is [N, C, D, H, W]: the CAM methods at a
/// volume map of the model give a map of the volume's size, written as a volume (NumPy .npy, or NIfTI in the
/// input's space when the input was NIfTI) and as a panel of the slices through its peak across each axis, with
/// <see cref="ExplainPipeline.ManifestName"/>. The folder's files appear all together or not at all.
/// </summary>
public sealed class VolumePipeline
{
    private readonly LoadedModel _model;

    /// <summary>Runs explanations of volumes with <paramref name="model"/>.</summary>
    public VolumePipeline(LoadedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
    }

    /// <summary>Explains every volume of <paramref name="job"/>.</summary>
    /// <param name="job">The volumes, the output folder and the settings (classes or top classes, methods, layer,
    /// colormap; a region, a mask, several layers and aug-smooth are for photos).</param>
    /// <param name="progress">Receives one line per volume.</param>
    /// <param name="cancellationToken">Checked between volumes; a cancelled run writes nothing.</param>
    /// <returns>The manifest entries: <c>peak</c> is [x, y, z] and <c>box</c> [x0, y0, z0, x1, y1, z1] (voxels,
    /// inclusive), <c>map_file</c> the volume map, <c>file</c> the panel of slices.</returns>
    /// <exception cref="UsageException">Settings that do not apply to volumes, or a method that does not explain them.
    /// </exception>
    /// <exception cref="UnreadableInputException">A volume cannot be read.</exception>
    /// <exception cref="OutputException">The output folder cannot be written.</exception>
    public IReadOnlyList<ManifestEntry> Run(ExplainJob job, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        ExplanationSettings settings = job.Settings;
        if (settings.Region is not null || settings.Mask is not null || settings.Layers.Count > 1 || settings.AugSmooth)
            throw new UsageException("--region, --mask, several --layer and --aug-smooth are for photos, not volumes");
        if (job.Images.Count == 0) throw new UsageException("no volumes given");
        if (settings.Top < 1) throw new UsageException($"--top must be at least 1, got {settings.Top}");
        int[] classes = [.. settings.Classes.Select(c => Labels.Resolve(c, _model.Labels, null)).Distinct()];
        ITarget[] targets = classes.Length > 0 ? [.. classes.Select(c => (ITarget)new ClassTarget(c))]
            : [new TopClassesTarget(settings.Top)];
        IColormap colormap = KnownColormaps.Get(settings.Colormap);
        MethodSet methods = settings.CreateMethods(_model.Model);
        // "scan.nii.gz" is the scan "scan", not "scan.nii" (names staged twice are numbered by the output).
        IReadOnlyList<PhotoSource> sources = [.. PhotoBatch.UniqueSources(job.Images).Select(source =>
            source.Stem.EndsWith(".nii", StringComparison.OrdinalIgnoreCase)
                ? source with { Stem = source.Stem[..^".nii".Length] } : source)];
        using StagedOutput output = StagedOutput.Begin(job.OutputDirectory, job.Overwrite);
        var entries = new List<ManifestEntry>();
        try
        {
            for (int i = 0; i < sources.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report($"[{i + 1}/{sources.Count}] {sources[i].Path}: {string.Join(", ", methods.Outputs)}");
                VolumeInput volume = VolumeInput.Load(sources[i].Path);
                entries.AddRange(ExplainOne(volume, sources[i], methods, targets, colormap, settings, output,
                    cancellationToken));
            }
            cancellationToken.ThrowIfCancellationRequested();
            File.WriteAllText(output.Add(ExplainPipeline.ManifestName),
                JsonSerializer.Serialize(entries, ExplainPipeline.ManifestJson));
            output.Publish();
            return entries;
        }
        catch (IOException exception) when (exception is not (UnreadableInputException or OutputException))
        {
            throw new OutputException("cannot write to output folder " +
                $"'{PrintableText.Printable(job.OutputDirectory)}': {exception.Message}", exception);
        }
    }

    private List<ManifestEntry> ExplainOne(VolumeInput volume, PhotoSource source, MethodSet methods, ITarget[] targets,
        IColormap colormap, ExplanationSettings settings, StagedOutput output, CancellationToken cancellationToken)
    {
        IReadOnlyList<Explanation> explanations;
        using (NewDisposeScope())
        {
            Tensor input = tensor(volume.Values).reshape(1, volume.Channels, volume.Depth, volume.Height, volume.Width);
            explanations = methods.Explain(input, [targets], settings.RunOptions(cancellation: cancellationToken));
        }
        bool nifti = volume.NiftiHeader is not null;
        var entries = new List<ManifestEntry>();
        foreach (Explanation explanation in explanations)
        {
            VolumeMap map = explanation.Volume ?? throw new InvalidOperationException(
                $"{explanation.Method} gave no volume map");
            string label = _model.LabelOf(explanation.ClassIndex)
                ?? (explanation.ClassIndex is int index ? $"class{index}" : explanation.TargetName);
            string stem = $"{source.Stem}_{PhotoExplainer.Slug(label)}_{explanation.Method}";
            string mapPath = output.Add(stem + (nifti ? ".nii.gz" : ".npy"), out string mapName);
            if (nifti) NiftiFile.Save(map, mapPath, volume.NiftiHeader);
            else NpyFile.Save(map, mapPath);
            (int z, int y, int x) = map.Peak;
            IReadOnlyList<SKBitmap> views = volume.Views(map, colormap, (z, y, x));
            try
            {
                string title = PhotoExplainer.Title(explanation.Method);
                using SKBitmap panel = Panel.Compose([
                    new PanelTile(views[0], $"slice z={z}", title),
                    new PanelTile(views[1], $"row y={y}", $"{label} ({explanation.Score:0.00})"),
                    new PanelTile(views[2], $"column x={x}", $"layer {explanation.Layer}"),
                ]);
                PngFile.Save(panel, output.Add(stem + ".png", out string panelName));
                var box = map.RegionAbove();
                entries.Add(new ManifestEntry
                {
                    Image = source.Path,
                    Model = _model.Name,
                    Layer = explanation.Layer,
                    Method = explanation.Method,
                    ClassIndex = explanation.ClassIndex,
                    ClassLabel = _model.LabelOf(explanation.ClassIndex),
                    Score = explanation.Score,
                    ScoreKind = _model.ScoreKind,
                    File = panelName,
                    MapFile = mapName,
                    Peak = [x, y, z],
                    Box = box is { } b ? [b.X0, b.Y0, b.Z0, b.X1, b.Y1, b.Z1] : null,
                });
            }
            finally
            {
                foreach (SKBitmap view in views) view.Dispose();
            }
        }
        return entries;
    }
}
