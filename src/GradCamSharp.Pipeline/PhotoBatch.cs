using System.Text.Json;
using GradCamSharp.Imaging;
using SkiaSharp;

namespace GradCamSharp.Pipeline;

/// <summary>
/// One run over photos into one output folder, shared by every pipeline: each photo once (a file named twice is
/// explained once), output names unique by construction (a/dog.jpg and b/dog.png become "dog" and "dog-2"), photos
/// decoded within the limits of <see cref="ImageDecodeOptions"/>, progress per photo, cancellation between photos,
/// and the files published all or nothing with <see cref="ExplainPipeline.ManifestName"/> (see
/// <see cref="StagedOutput"/>).
/// </summary>
public sealed class PhotoBatch
{
    private readonly string _outputDirectory;
    private readonly ImageDecodeOptions _decoding;
    private readonly bool _overwrite;
    private readonly Dictionary<string, (int Width, int Height)> _sizes = new(StringComparer.Ordinal);

    /// <summary>Checks every photo's header (existence, format, pixel limit) before any work is done.</summary>
    /// <param name="images">The photo files, as given.</param>
    /// <param name="outputDirectory">The output folder.</param>
    /// <param name="decoding">Decoding limits; the defaults when null.</param>
    /// <param name="overwrite">Allow an output folder that holds files gradcam did not write.</param>
    /// <exception cref="UsageException">No photos.</exception>
    /// <exception cref="ImageLoadException">A photo is missing, not an image, or over the pixel limit.</exception>
    public PhotoBatch(IReadOnlyList<string> images, string outputDirectory, ImageDecodeOptions? decoding = null,
        bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(outputDirectory);
        if (string.IsNullOrWhiteSpace(outputDirectory)) throw new UsageException("the output folder is empty");
        if (images.Count == 0) throw new UsageException("no images given");
        _outputDirectory = outputDirectory;
        _decoding = (decoding ?? ImageDecodeOptions.Default).Validated();
        _overwrite = overwrite;
        foreach (string image in images) _sizes[image] = ImageLoader.Probe(image, _decoding);
        Photos = UniqueSources(images);
    }

    /// <summary>The photos to explain, each once, with the stem of its output files.</summary>
    public IReadOnlyList<PhotoSource> Photos { get; }

    /// <summary>
    /// Decodes each photo, lets <paramref name="explain"/> stage its files and manifest entries, then writes the
    /// manifest and publishes everything once the writes <paramref name="explain"/> left behind have ended.
    /// </summary>
    /// <param name="explain">Explains one decoded photo (disposed afterwards) and stages its files.</param>
    /// <param name="progress">Receives "[i/n] PHOTO: <paramref name="what"/>" before each photo.</param>
    /// <param name="what">What is done to each photo, for the progress lines.</param>
    /// <param name="cancellationToken">Checked between photos; a cancelled run writes nothing.</param>
    /// <returns>The manifest entries, in photo order.</returns>
    /// <exception cref="ImageLoadException">A photo is corrupt or truncated.</exception>
    /// <exception cref="OutputException">The output folder cannot be written, or holds foreign files.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; nothing was written.</exception>
    public IReadOnlyList<ManifestEntry> Run(Func<LoadedPhoto, IPhotoOutput, IEnumerable<ManifestEntry>> explain,
        IProgress<string>? progress = null, string? what = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(explain);
        cancellationToken.ThrowIfCancellationRequested();
        using StagedOutput output = StagedOutput.Begin(_outputDirectory, _overwrite);
        var entries = new List<ManifestEntry>();
        // The next photo decodes while this one is explained.
        Task<SKBitmap>? next = Decode(0);
        try
        {
            for (int i = 0; i < Photos.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                PhotoSource source = Photos[i];
                progress?.Report($"[{i + 1}/{Photos.Count}] {source.Path}" + (what is null ? "" : $": {what}"));
                (int width, int height) = _sizes[source.Path];
                using SKBitmap bitmap = next!.GetAwaiter().GetResult();
                next = Decode(i + 1);
                entries.AddRange(explain(new LoadedPhoto(source, bitmap, ScaleOf(bitmap, width, height)), output));
            }
            output.Drain();
            cancellationToken.ThrowIfCancellationRequested();
            File.WriteAllText(output.Add(ExplainPipeline.ManifestName),
                JsonSerializer.Serialize(entries, ExplainPipeline.ManifestJson));
            output.Publish();
            return entries;
        }
        catch (IOException exception) when (exception is not (UnreadableInputException or OutputException))
        {
            // A file of the staging folder could not be written (the disk is full, a quota reached): an output
            // failure, whichever write found it.
            throw new OutputException($"cannot write to output folder '{PrintableText.Printable(_outputDirectory)}'" +
                $": {exception.Message}", exception);
        }
        finally
        {
            if (next is not null) _ = next.ContinueWith(decoded => decoded.Result.Dispose(), CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }
    }

    /// <summary>Decoded pixels per pixel of the file: 1, or less when a large photo was decoded downscaled.</summary>
    internal static float ScaleOf(SKBitmap bitmap, int width, int height) =>
        (float)Math.Max(bitmap.Width, bitmap.Height) / Math.Max(width, height);

    private Task<SKBitmap>? Decode(int index) => index < Photos.Count
        ? Task.Run(() => ImageLoader.Load(Photos[index].Path, _decoding)) : null;

    /// <summary>
    /// Each file once (by full path), with a stem for its outputs: the file name without extension, then with its
    /// extension ("dog-png") when two photos share a stem, then numbered.
    /// </summary>
    public static IReadOnlyList<PhotoSource> UniqueSources(IReadOnlyList<string> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        string[] distinct = images.DistinctBy(Path.GetFullPath, StringComparer.Ordinal).ToArray();
        var stemCounts = distinct.GroupBy(StemOf, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var sources = new List<PhotoSource>();
        foreach (string image in distinct)
        {
            string stem = StemOf(image);
            if (stemCounts[stem] > 1)
            {
                string extension = Path.GetExtension(image).TrimStart('.').ToLowerInvariant();
                if (extension.Length > 0) stem = $"{stem}-{extension}";
            }
            string unique = stem;
            for (int n = 2; !used.Add(unique); n++) unique = $"{stem}-{n}";
            sources.Add(new PhotoSource(image, unique));
        }
        return sources;
    }

    /// <summary>
    /// The file name without extension, control and format characters (a newline, a right-to-left override) made
    /// '_': output names never carry them.
    /// </summary>
    private static string StemOf(string image)
    {
        string stem = new([.. Path.GetFileNameWithoutExtension(image).Select(c => char.IsControl(c)
            || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format
                or System.Globalization.UnicodeCategory.LineSeparator
                or System.Globalization.UnicodeCategory.ParagraphSeparator ? '_' : c)]);
        return stem.Length > 0 ? stem : "image";
    }
}

/// <summary>A photo of a batch: the file as given and the stem of its output files.</summary>
/// <param name="Path">The file, as given.</param>
/// <param name="Stem">The unique prefix of its output files.</param>
public sealed record PhotoSource(string Path, string Stem);

/// <summary>A decoded photo of a batch.</summary>
/// <param name="Source">Where it came from.</param>
/// <param name="Bitmap">The upright pixels, possibly downscaled (owned by the batch).</param>
/// <param name="Scale">Decoded pixels per pixel of the file: 1, or less when a large photo was downscaled.</param>
public sealed record LoadedPhoto(PhotoSource Source, SKBitmap Bitmap, float Scale);
