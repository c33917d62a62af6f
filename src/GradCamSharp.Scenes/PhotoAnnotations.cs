using System.Text.Json;
using GradCamSharp.Maps;

namespace GradCamSharp.Scenes;

/// <summary>
/// Reads a boxes file: <c>{"photo.jpg": {"label": [x0, y0, x1, y1], ...}, ...}</c>, with two optional keys,
/// <c>_front_to_back</c> (per photo, labels nearest first where boxes overlap) and <c>_complete</c> (the photos in
/// which every object of interest is boxed). Other keys starting with '_' are comments.
/// </summary>
public static class PhotoAnnotations
{
    /// <summary>Reads <paramref name="path"/>, resolving photo names against <paramref name="imagesFolder"/>.</summary>
    /// <exception cref="UnreadableInputException">Missing or malformed.</exception>
    public static IReadOnlyList<AnnotatedPhoto> Read(string path, string imagesFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(imagesFolder);
        if (!File.Exists(path)) throw new UnreadableInputException($"boxes file '{path}' not found");
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
            JsonElement root = document.RootElement;
            var order = new Dictionary<string, string[]>(StringComparer.Ordinal);
            if (root.TryGetProperty("_front_to_back", out JsonElement depth))
            {
                foreach (JsonProperty photo in depth.EnumerateObject())
                    order[photo.Name] = photo.Value.EnumerateArray().Select(v => v.GetString()!).ToArray();
            }
            var complete = new HashSet<string>(StringComparer.Ordinal);
            if (root.TryGetProperty("_complete", out JsonElement completeList))
                complete.UnionWith(completeList.EnumerateArray().Select(v => v.GetString()!));

            var photos = new List<AnnotatedPhoto>();
            foreach (JsonProperty photo in root.EnumerateObject().Where(p => !p.Name.StartsWith('_')))
            {
                var objects =
                    photo.Value.EnumerateObject().Select(item => new AnnotatedObject(item.Name, ReadBox(item.Value)))
                    .ToList();
                if (order.TryGetValue(photo.Name, out string[]? nearestFirst))
                {
                    objects =
                        objects.OrderBy(o => Array.IndexOf(nearestFirst, o.Label) is int i and >= 0 ? i : int.MaxValue)
                        .ToList();
                }
                photos.Add(new AnnotatedPhoto(Path.Combine(imagesFolder, photo.Name), objects,
                    complete.Contains(photo.Name)));
            }
            return photos;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or FormatException)
        {
            throw new UnreadableInputException($"boxes file '{path}' is malformed: {exception.Message}", exception);
        }
    }

    private static Box ReadBox(JsonElement value)
    {
        int[] c = value.EnumerateArray().Select(v => v.GetInt32()).ToArray();
        if (c.Length != 4 || c[2] <= c[0] || c[3] <= c[1])
            throw new FormatException("a box is [x0, y0, x1, y1] with x0 < x1 and y0 < y1, got " +
                $"[{string.Join(", ", c)}]");
        return new Box(c[0], c[1], c[2], c[3]);
    }
}
