using GradCamSharp.Maps;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Guided Grad-CAM (Grad-CAM, sec. 3.1): Guided Backpropagation multiplied point-wise by the Grad-CAM map upsampled
/// to the input, giving maps that are both high-resolution and class-discriminative.
/// </summary>
public sealed class GuidedGradCam : IExplainer
{
    private readonly CamMethod _cam;
    private readonly GuidedBackprop _guided;

    /// <summary>Combines <see cref="GradCam"/> (or <paramref name="cam"/>) with <see cref="GuidedBackprop"/> on <paramref name="model"/>.</summary>
    public GuidedGradCam(IExplainableModel model, CamOptions? options = null, CamMethod? cam = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _cam = cam ?? new GradCam(model, options);
        _guided = new GuidedBackprop(model);
    }

    /// <inheritdoc />
    public string Name => "guided-gradcam";

    /// <inheritdoc />
    public IReadOnlyList<Explanation> Explain(Tensor input, IReadOnlyList<IReadOnlyList<ITarget>> targetsPerSample)
    {
        IReadOnlyList<Explanation> cams = _cam.Explain(input, targetsPerSample);
        IReadOnlyList<Explanation> guided = _guided.Explain(input, targetsPerSample);
        return cams.Zip(guided, Combine).ToList();
    }

    /// <summary>Multiplies a guided-backprop attribution by a CAM heatmap of the same sample, target and size.</summary>
    public static Explanation Combine(Explanation cam, Explanation guided)
    {
        ArgumentNullException.ThrowIfNull(cam);
        ArgumentNullException.ThrowIfNull(guided);
        Attribution pixels = guided.Attribution
            ?? throw new ArgumentException($"'{guided.Method}' carries no pixel attribution", nameof(guided));
        if (cam.SampleIndex != guided.SampleIndex || cam.ClassIndex != guided.ClassIndex)
            throw new ArgumentException("the CAM and the guided attribution explain different samples or classes");
        if (cam.Heatmap.Width != pixels.Width || cam.Heatmap.Height != pixels.Height)
            throw new ArgumentException("the CAM heatmap and the guided attribution differ in size");

        int plane = pixels.Width * pixels.Height;
        var product = new float[pixels.Values.Length];
        for (int i = 0; i < product.Length; i++) product[i] = pixels.Values[i] * cam.Heatmap.Values[i % plane];
        var attribution = new Attribution(pixels.Channels, pixels.Width, pixels.Height, product);
        return new Explanation
        {
            Method = "guided-gradcam",
            Layer = cam.Layer,
            SampleIndex = cam.SampleIndex,
            TargetName = cam.TargetName,
            ClassIndex = cam.ClassIndex,
            Score = cam.Score,
            Heatmap = attribution.Saliency(),
            RawMap = cam.RawMap,
            Attribution = attribution,
        };
    }
}
