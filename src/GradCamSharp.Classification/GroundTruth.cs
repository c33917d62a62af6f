using System.Globalization;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using GradCamSharp.Maps;
using GradCamSharp.Scenes;

namespace GradCamSharp.Classification;

/// <summary>
/// Annotated boxes in the formats people have: GradCamSharp's JSON (<c>{"photo.jpg": {"label": [x0, y0, x1, y1]}}</c>),
/// PASCAL VOC XML (one file per image, or a folder of them) and COCO JSON (instances: <c>images</c>,
/// <c>annotations</c> with <c>bbox</c> [x, y, width, height], <c>categories</c>). Boxes are in pixels, [x0, y0) to
/// [x1, y1) exclusive; VOC's 1-based inclusive corners and COCO's float boxes are converted.
/// </summary>
public static class GroundTruth
{
    /// <summary>Reads <paramref name="path"/>, recognising its format.</summary>
    /// <param name="path">A JSON file, a VOC XML file, or a folder of VOC XML files.</param>
    /// <param name="imagesFolder">Where the images are.</param>
    /// <exception cref="UnreadableInputException">Missing or malformed.</exception>
    public static IReadOnlyList<AnnotatedPhoto> Read(string path, string imagesFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(imagesFolder);
        if (Directory.Exists(path))
        {
            string[] files = Directory.GetFiles(path, "*.xml").Order(StringComparer.Ordinal).ToArray();
            return files.Length > 0 ? files.Select(f => ReadVoc(f, imagesFolder)).ToList()
                : throw new UnreadableInputException($"'{path}' holds no VOC .xml annotation");
        }
        if (!File.Exists(path)) throw new UnreadableInputException($"boxes file '{path}' not found");
        if (path.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)) return [ReadVoc(path, imagesFolder)];
        return IsCoco(path) ? ReadCoco(path, imagesFolder) : PhotoAnnotations.Read(path, imagesFolder);
    }

    private static bool IsCoco(string path)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("images", out _)
                && document.RootElement.TryGetProperty("annotations", out _);
        }
        catch (JsonException exception)
        {
            throw new UnreadableInputException($"boxes file '{path}' is not JSON: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// One PASCAL VOC annotation: <c>filename</c> and each <c>object</c>'s <c>name</c> and <c>bndbox</c>.
    /// </summary>
    public static AnnotatedPhoto ReadVoc(string path, string imagesFolder)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            XElement root = XDocument.Load(path).Root ?? throw new FormatException("empty document");
            string file = root.Element("filename")?.Value.Trim() ?? throw new FormatException("no <filename>");
            var objects = root.Elements("object").Select(item =>
            {
                string name =
                    item.Element("name")?.Value.Trim() ?? throw new FormatException("an object has no <name>");
                XElement box = item.Element("bndbox") ?? throw new FormatException($"object '{name}' has no <bndbox>");
                double Corner(string tag) => double.Parse(box.Element(tag)?.Value
                    ?? throw new FormatException($"object '{name}' has no <{tag}>"), CultureInfo.InvariantCulture);
                // VOC corners are 1-based and inclusive.
                return new AnnotatedObject(name, Checked(name, (int)Math.Floor(Corner("xmin")) - 1,
                    (int)Math.Floor(Corner("ymin")) - 1, (int)Math.Ceiling(Corner("xmax")),
                    (int)Math.Ceiling(Corner("ymax"))));
            }).ToList();
            return new AnnotatedPhoto(Path.Combine(imagesFolder, file), objects, Complete: false);
        }
        catch (Exception exception) when (exception is XmlException or FormatException or OverflowException)
        {
            throw new UnreadableInputException($"VOC annotation '{path}' is malformed: {exception.Message}", exception);
        }
    }

    /// <summary>COCO instances: every image with at least one non-crowd box.</summary>
    public static IReadOnlyList<AnnotatedPhoto> ReadCoco(string path, string imagesFolder)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
            JsonElement root = document.RootElement;
            var categories = root.GetProperty("categories").EnumerateArray()
                .ToDictionary(c => c.GetProperty("id").GetInt64(), c => c.GetProperty("name").GetString()!);
            var images = root.GetProperty("images").EnumerateArray()
                .ToDictionary(i => i.GetProperty("id").GetInt64(), i => i.GetProperty("file_name").GetString()!);
            var objects = new Dictionary<long, List<AnnotatedObject>>();
            foreach (JsonElement annotation in root.GetProperty("annotations").EnumerateArray())
            {
                if (annotation.TryGetProperty("iscrowd", out JsonElement crowd) && crowd.GetInt32() == 1) continue;
                long image = annotation.GetProperty("image_id").GetInt64();
                long category = annotation.GetProperty("category_id").GetInt64();
                if (!images.ContainsKey(image)) throw new FormatException($"an annotation names image {image}");
                string name = categories.TryGetValue(category, out string? known) ? known
                    : throw new FormatException($"an annotation names category {category}");
                double[] b = annotation.GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();
                if (b.Length != 4) throw new FormatException("a bbox is not [x, y, width, height]");
                var box = Checked(name, (int)Math.Floor(b[0]), (int)Math.Floor(b[1]), (int)Math.Ceiling(b[0] + b[2]),
                    (int)Math.Ceiling(b[1] + b[3]));
                if (!objects.TryGetValue(image, out List<AnnotatedObject>? list)) objects[image] = list = [];
                list.Add(new AnnotatedObject(name, box));
            }
            return objects.OrderBy(o => o.Key).Select(o => new AnnotatedPhoto(Path.Combine(imagesFolder,
                images[o.Key]), o.Value, Complete: false)).ToList();
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or FormatException
            or InvalidOperationException)
        {
            throw new UnreadableInputException($"COCO file '{path}' is malformed: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// Reads a label mapping: one <c>annotation label=model class</c> a line (<c>#</c> starts a comment), or a JSON
    /// object of the same pairs.
    /// </summary>
    /// <exception cref="UnreadableInputException">Missing or malformed.</exception>
    public static IReadOnlyDictionary<string, string> ReadLabelMap(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new UnreadableInputException($"label map '{path}' not found");
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string text = File.ReadAllText(path);
        if (text.TrimStart().StartsWith('{'))
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(text);
                foreach (JsonProperty pair in document.RootElement.EnumerateObject())
                    map[pair.Name] = pair.Value.GetString() ?? throw new FormatException($"'{pair.Name}' maps to null");
                return map;
            }
            catch (Exception exception) when (exception is JsonException or InvalidOperationException
                or FormatException)
            {
                throw new UnreadableInputException($"label map '{path}' is malformed: {exception.Message}", exception);
            }
        }
        int number = 0;
        foreach (string raw in text.Split('\n'))
        {
            number++;
            string line = (raw.IndexOf('#', StringComparison.Ordinal) is int hash and >= 0 ? raw[..hash] : raw).Trim();
            if (line.Length == 0) continue;
            string[] parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new UnreadableInputException($"label map '{path}' line {number}: expected LABEL=CLASS");
            map[parts[0]] = parts[1];
        }
        return map;
    }

    private static Box Checked(string name, int x0, int y0, int x1, int y1) =>
        // Tools that write VOC's corners 0-based give -1 here; the picture starts at 0.
        x1 > Math.Max(0, x0) && y1 > Math.Max(0, y0) ? new Box(Math.Max(0, x0), Math.Max(0, y0), x1, y1)
            : throw new FormatException($"object '{name}' has an empty or negative box [{x0}, {y0}, {x1}, {y1}]");
}
