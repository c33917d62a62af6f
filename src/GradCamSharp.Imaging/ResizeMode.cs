namespace GradCamSharp.Imaging;

/// <summary>How an image is fitted into a model's input size.</summary>
public enum ResizeMode
{
    /// <summary>Resize to exactly the input size, ignoring aspect ratio (TorchVision's Resize((h, w))).</summary>
    Stretch,

    /// <summary>
    /// Resize to the input height keeping the aspect ratio, then pad on the right with zeros (text-line models).
    /// </summary>
    FitHeightPadRight,
}
