namespace GradCamSharp.Catalog;

/// <summary>
/// One named model of <see cref="KnownModels"/>: everything the command line, the web service and the README say about
/// it, and how to load it.
/// </summary>
public sealed record ModelDescriptor
{
    /// <summary>The name <c>--model</c> takes, e.g. "default".</summary>
    public required string Name { get; init; }

    /// <summary>What it is, in one line.</summary>
    public required string Summary { get; init; }

    /// <summary>Loads it with the user's options (labels, randomised weights, ONNX Runtime or not).</summary>
    public required Func<ModelLoadOptions, OnnxRuntimeChoice, LoadedModel> Load { get; init; }

    /// <summary>
    /// The model's features, when a head of the user's concepts should read something other than the model's own
    /// output (the default model's pooled backbone rather than its twelve classes); null: its output.
    /// </summary>
    public Func<ModelLoadOptions, OnnxRuntimeChoice, LoadedModel>? Features { get; init; }

    /// <summary>Whether <c>--preprocess</c> applies (false for models whose input convention is fixed).</summary>
    public bool TakesPreprocessing { get; init; }
}
