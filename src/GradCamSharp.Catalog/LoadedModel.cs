using GradCamSharp.Imaging;
using GradCamSharp.Models;

namespace GradCamSharp.Catalog;

/// <summary>
/// A model ready to explain, with the conventions needed to feed it photos and name its outputs. It owns the model:
/// disposing it disposes the model.
/// </summary>
public sealed class LoadedModel : IDisposable
{
    /// <summary>A short name for manifests, e.g. "resnet18" or the ONNX file name.</summary>
    public required string Name { get; init; }

    /// <summary>The differentiable model.</summary>
    public required IExplainableModel Model { get; init; }

    /// <summary>How photos become its input.</summary>
    public required Preprocessing Preprocessing { get; init; }

    /// <summary>
    /// The input layout for a photo of a given width and height, for models whose input size follows the photo (a
    /// text detector); null when <see cref="Preprocessing"/> fits every photo.
    /// </summary>
    public Func<int, int, Preprocessing>? PreprocessingFor { get; init; }

    /// <summary>
    /// The layer that <c>auto</c> means for this model, where the generic choice (the last spatial map) would be
    /// wrong: a detector's output is itself a spatial map. Null for the generic choice.
    /// </summary>
    public string? DefaultLayer { get; init; }

    /// <summary>Class names by output index, where known.</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>What its scores are, for manifests: "logit" (before any softmax), "similarity", ...</summary>
    public string ScoreKind { get; init; } = "logit";

    /// <summary>Classes that are not answers, such as a "background" class: top-k choices leave them out.</summary>
    public IReadOnlyCollection<int> NotAnswers { get; init; } = [];

    /// <summary>Something to tell the user about the model (e.g. that its weights are random).</summary>
    public string? Notice { get; init; }

    /// <summary>The label of class <paramref name="index"/>, or null.</summary>
    public string? LabelOf(int? index) =>
        index is int i && Labels is not null && i >= 0 && i < Labels.Count ? Labels[i] : null;

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
