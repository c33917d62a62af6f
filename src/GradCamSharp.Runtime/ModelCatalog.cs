using GradCamSharp.Imaging;
using GradCamSharp.Models;

namespace GradCamSharp.Runtime;

/// <summary>Resolves a model specification given on the command line or in a request into a <see cref="LoadedModel"/>.</summary>
public static class ModelCatalog
{
    /// <summary>The embedded default model.</summary>
    public const string Default = "default";

    /// <summary>
    /// Loads <paramref name="spec"/>: <c>default</c>; a TorchVision architecture name (random weights, for timing);
    /// or a <c>.pth</c> checkpoint of a TorchVision architecture.
    /// </summary>
    /// <exception cref="ModelLoadException">Unknown name, missing or unreadable file.</exception>
    public static LoadedModel Load(string spec, ModelLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        options ??= new ModelLoadOptions();
        Preprocessing preprocessing = ResolvePreprocessing(options.Preprocess, KnownPreprocessing.ImageNet);
        IReadOnlyList<string>? labels = options.LabelsPath is null ? null : Labels.Read(options.LabelsPath);

        if (spec.EndsWith(".pth", StringComparison.OrdinalIgnoreCase) || spec.EndsWith(".pt", StringComparison.OrdinalIgnoreCase))
            return LoadCheckpoint(spec, options, preprocessing, labels);
        if (TorchVisionModels.Names.Contains(spec, StringComparer.OrdinalIgnoreCase))
        {
            var module = TorchVisionModels.Create(spec);
            return new LoadedModel
            {
                Name = spec.ToLowerInvariant(),
                Model = new TorchModuleModel(module, spec),
                Preprocessing = preprocessing,
                Labels = labels ?? GradCamSharp.Runtime.Labels.ImageNet,
                Notice = $"{spec} has random weights: use it for timing, not for explanations (give a .pth checkpoint for real weights)",
                Owned = module,
            };
        }
        if (File.Exists(spec) || Directory.Exists(spec))
            throw new ModelLoadException($"'{spec}' is not a model format GradCamSharp reads (.pth)");
        throw new ModelLoadException(
            $"model '{spec}' not found: give '{Default}', a TorchVision name ({string.Join(", ", TorchVisionModels.Names)}) or a .pth file");
    }

    /// <summary>A preset by name, or <paramref name="fallback"/> when none is given.</summary>
    /// <exception cref="ModelLoadException">Unknown preset.</exception>
    public static Preprocessing ResolvePreprocessing(string? name, Preprocessing fallback)
    {
        if (name is null) return fallback;
        if (KnownPreprocessing.TryGet(name, out Preprocessing preset)) return preset;
        throw new ModelLoadException($"unknown preprocessing '{name}'; known: {string.Join(", ", KnownPreprocessing.Names)}");
    }

    private static LoadedModel LoadCheckpoint(string path, ModelLoadOptions options, Preprocessing preprocessing, IReadOnlyList<string>? labels)
    {
        if (!File.Exists(path)) throw new ModelLoadException($"model file '{path}' not found");
        string? architecture = options.Architecture
            ?? TorchVisionModels.Names.OrderByDescending(n => n.Length)
                .FirstOrDefault(n => Path.GetFileName(path).Contains(n, StringComparison.OrdinalIgnoreCase));
        if (architecture is null)
            throw new ModelLoadException($"cannot tell the architecture of '{path}'; pass --arch ({string.Join(", ", TorchVisionModels.Names)})");
        try
        {
            var module = TorchVisionModels.Create(architecture, path);
            return new LoadedModel
            {
                Name = Path.GetFileNameWithoutExtension(path),
                Model = new TorchModuleModel(module, architecture),
                Preprocessing = preprocessing,
                Labels = labels ?? GradCamSharp.Runtime.Labels.ImageNet,
                Owned = module,
            };
        }
        catch (Exception exception) when (exception is not ModelLoadException and not OutOfMemoryException)
        {
            throw new ModelLoadException($"cannot load '{path}' as {architecture}: {exception.Message}", exception);
        }
    }
}
