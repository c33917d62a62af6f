namespace GradCamSharp.Imaging;

/// <summary>An image file that is missing, unreadable, not a supported image, too large or truncated.</summary>
public sealed class ImageLoadException(string message, Exception? inner = null,
    ImageLoadFailure failure = ImageLoadFailure.Unreadable) : UnreadableInputException(message, inner)
{
    /// <summary>
    /// What is wrong, for callers that offer a remedy (a larger pixel limit, accepting partial images).
    /// </summary>
    public ImageLoadFailure Failure { get; } = failure;
}

/// <summary>Why an image was refused.</summary>
public enum ImageLoadFailure
{
    /// <summary>Missing, unreadable, not an image, or corrupt.</summary>
    Unreadable,

    /// <summary>It declares more pixels than the limit allows.</summary>
    OverPixelLimit,

    /// <summary>The file ends before the image does.</summary>
    Truncated,
}
