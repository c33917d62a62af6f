using SkiaSharp;

namespace GradCamSharp.Web.Study;

/// <summary>A picture that trials show, with the classes it holds (two for class discrimination).</summary>
/// <param name="Name">Where it came from: a photo's file name, "composite 12".</param>
/// <param name="Image">The picture, owned by the item.</param>
/// <param name="Labels">Its classes; empty when unknown (a folder's images: the model's two best classes are
/// used).</param>
internal sealed record StudyItem(string Name, SKBitmap Image, IReadOnlyList<string> Labels) : IDisposable
{
    /// <inheritdoc />
    public void Dispose() => Image.Dispose();
}
