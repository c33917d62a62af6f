namespace GradCamSharp.Imaging;

/// <summary>An image file that is missing, unreadable or not a supported image.</summary>
public sealed class ImageLoadException(string message, Exception? inner = null) : UnreadableInputException(message,
    inner);
