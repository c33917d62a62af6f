namespace GradCamSharp.Imaging;

/// <summary>The usual input conventions, by name (used by <c>gradcam --preprocess</c>).</summary>
public static class KnownPreprocessing
{
    /// <summary>TorchVision ImageNet models: RGB, 224x224, 0..1, ImageNet mean/std.</summary>
    public static Preprocessing ImageNet { get; } = new();

    /// <summary>Caffe/CNTK-style ImageNet models: BGR, 0..255, mean pixel subtracted, no scaling.</summary>
    public static Preprocessing ImageNetCaffe { get; } = new()
    {
        ChannelOrder = ChannelOrder.Bgr, Scale = 1f, Mean = [103.939f, 116.779f, 123.68f], Std = [1f, 1f, 1f],
    };

    /// <summary>Inception-style models: RGB, 0..1 mapped to -1..1.</summary>
    public static Preprocessing Inception { get; } = new() { Mean = [0.5f, 0.5f, 0.5f], Std = [0.5f, 0.5f, 0.5f] };

    /// <summary>Plain RGB 0..1, no normalisation.</summary>
    public static Preprocessing Unit { get; } = new() { Mean = [0f, 0f, 0f], Std = [1f, 1f, 1f] };

    /// <summary>PaddleOCR's text-line classifiers: BGR, height 48, width padded to 192, (v/255 - 0.5) / 0.5.</summary>
    public static Preprocessing PaddleOcrTextLine { get; } = new()
    {
        Width = 192, Height = 48, ChannelOrder = ChannelOrder.Bgr, Mean = [0.5f, 0.5f, 0.5f], Std = [0.5f, 0.5f, 0.5f],
        ResizeMode = ResizeMode.FitHeightPadRight,
    };

    /// <summary>The seeded shape world's scenes: RGB, 128x128, 0..1 centred at 0.5 and divided by 0.25.</summary>
    public static Preprocessing ShapeWorld { get; } = new()
    {
        Width = 128, Height = 128, Mean = [0.5f, 0.5f, 0.5f], Std = [0.25f, 0.25f, 0.25f],
    };

    private static readonly Dictionary<string, Preprocessing> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["imagenet"] = ImageNet,
        ["imagenet-caffe"] = ImageNetCaffe,
        ["inception"] = Inception,
        ["unit"] = Unit,
        ["ppocr-textline"] = PaddleOcrTextLine,
        ["shapes"] = ShapeWorld,
    };

    /// <summary>Every preset name.</summary>
    public static IReadOnlyCollection<string> Names => ByName.Keys;

    /// <summary>Looks a preset up by name.</summary>
    public static bool TryGet(string name, out Preprocessing preprocessing) =>
        ByName.TryGetValue(name, out preprocessing!);
}
