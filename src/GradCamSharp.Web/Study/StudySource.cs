using GradCamSharp.Imaging;
using GradCamSharp.Scenes;
using GradCamSharp.Catalog;

namespace GradCamSharp.Web.Study;

/// <summary>
/// Where trials' pictures come from: composite scenes of two different objects cut from the shipped photos (exact
/// classes), the shipped photos that show two different objects, or a folder of images.
/// </summary>
internal sealed class StudySource : IDisposable
{
    private const int CompositeCount = 200;
    private const int CompositeSize = 288;

    private readonly PhotoWorld? _world;
    private readonly int _seed;
    private readonly IReadOnlyList<(string Path, IReadOnlyList<string> Labels)> _files = [];

    private StudySource(PhotoWorld world, int seed)
    {
        _world = world;
        _seed = seed;
        Count = CompositeCount;
    }

    private StudySource(IReadOnlyList<(string Path, IReadOnlyList<string> Labels)> files)
    {
        _files = files;
        Count = files.Count;
    }

    /// <summary>How many pictures there are to draw from.</summary>
    public int Count { get; }

    /// <summary>Opens the source <paramref name="options"/> names.</summary>
    /// <exception cref="UsageException">An unknown source, or one with no usable picture.</exception>
    public static StudySource Open(StudyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string boxes = Path.Combine(DefaultModel.SamplesFolder, "boxes.json");
        switch (options.Source)
        {
            case StudyOptions.Composites:
                return new StudySource(new PhotoWorld(PhotoAnnotations.Read(boxes, DefaultModel.SamplesFolder),
                    new PhotoWorldOptions { MinObjects = 2, MaxObjects = 2, Size = CompositeSize }), options.Seed);
            case StudyOptions.Photos:
                var photos = PhotoAnnotations.Read(boxes, DefaultModel.SamplesFolder)
                    .Select(p => (p.Path, (IReadOnlyList<string>)p.Objects.Select(o => o.Label).Distinct().Take(2)
                        .ToArray()))
                    .Where(p => p.Item2.Count == 2).ToList();
                return photos.Count > 0 ? new StudySource(photos)
                    : throw new UsageException("no shipped photo shows two different objects; use the composites");
            default:
                if (!Directory.Exists(options.Source))
                {
                    throw new UsageException($"study source '{options.Source}' is neither {StudyOptions.Composites}, " +
                        $"{StudyOptions.Photos} nor a folder");
                }
                var files = Directory.EnumerateFiles(options.Source)
                    .Where(ImageLoader.IsImageFile)
                    .Order(StringComparer.Ordinal).Select(f => (f, (IReadOnlyList<string>)[])).ToList();
                return files.Count > 0 ? new StudySource(files)
                    : throw new UsageException($"study folder '{options.Source}' holds no image");
        }
    }

    /// <summary>Picture <paramref name="index"/> (modulo <see cref="Count"/>); the caller disposes it.</summary>
    /// <exception cref="ImageLoadException">A folder's image that cannot be decoded.</exception>
    public StudyItem Get(int index)
    {
        index = ((index % Count) + Count) % Count;
        if (_world is null)
        {
            (string path, IReadOnlyList<string> labels) = _files[index];
            return new StudyItem(Path.GetFileName(path), ImageLoader.Load(path), labels);
        }
        // A composite may paste two objects of one class; the next scene of the same slot is tried then.
        for (int attempt = 0; ; attempt++)
        {
            using Scene scene = _world.Generate(_seed, index + attempt * Count);
            string[] labels = scene.Objects.Select(o => o.Label).Distinct(StringComparer.Ordinal).ToArray();
            if (labels.Length == 2 || attempt == 20)
                return new StudyItem($"composite {index + attempt * Count}", scene.Image.Copy(), labels);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _world?.Dispose();
}
