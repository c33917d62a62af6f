using System.Text;
using System.Text.Json;

namespace GradCamSharp.Pipeline.Datasets;

/// <summary>
/// A JSON Lines file appended to by one run at a time: every append is one write of whole lines, flushed to the
/// operating system at once, so that a killed process leaves whole lines (and at most one incomplete last line,
/// which a run resuming the file cuts off).
/// </summary>
public sealed class JsonLines : IDisposable
{
    private readonly FileStream _stream;

    private JsonLines(FileStream stream) => _stream = stream;

    /// <summary>How lines are written: one object a line, text as people type it.</summary>
    public static JsonSerializerOptions LineJson { get; } = new(ExplainPipeline.ManifestJson) { WriteIndented = false };

    /// <summary>
    /// Opens <paramref name="path"/> for appending, first cutting off an incomplete last line a killed run left.
    /// </summary>
    /// <exception cref="IOException">The file cannot be opened or written.</exception>
    /// <param name="path">The file; created if missing.</param>
    /// <param name="truncate">Start the file empty.</param>
    public static JsonLines Open(string path, bool truncate = false)
    {
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        if (truncate) stream.SetLength(0);
        else stream.SetLength(WholeLinesLength(stream));
        stream.Seek(0, SeekOrigin.End);
        return new JsonLines(stream);
    }

    /// <summary>Appends <paramref name="records"/>, one line each, in one write.</summary>
    public void Append<T>(IEnumerable<T> records)
    {
        var text = new StringBuilder();
        foreach (T record in records) text.Append(JsonSerializer.Serialize(record, LineJson)).Append('\n');
        _stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
        _stream.Flush();
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream.Dispose();

    /// <summary>
    /// The whole lines of <paramref name="path"/> as parsed objects (none when it does not exist), ignoring an
    /// incomplete last line.
    /// </summary>
    /// <exception cref="UnreadableInputException">A whole line is not a JSON object.</exception>
    public static IReadOnlyList<JsonElement> Read(string path)
    {
        if (!File.Exists(path)) return [];
        byte[] bytes = File.ReadAllBytes(path);
        int end = bytes.AsSpan().LastIndexOf((byte)'\n') + 1;
        var lines = new List<JsonElement>();
        int number = 0;
        foreach (string line in Encoding.UTF8.GetString(bytes, 0, end).Split('\n'))
        {
            number++;
            if (line.Length == 0) continue;
            try
            {
                using JsonDocument document = JsonDocument.Parse(line);
                if (document.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("not an object");
                lines.Add(document.RootElement.Clone());
            }
            catch (JsonException exception)
            {
                throw new UnreadableInputException($"line {number} of '{path}' is not a JSON object: " +
                    exception.Message, exception);
            }
        }
        return lines;
    }

    /// <summary>A string property of a line, or null.</summary>
    public static string? Text(JsonElement line, string property) =>
        line.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;

    private static long WholeLinesLength(FileStream stream)
    {
        long length = stream.Length;
        if (length == 0) return 0;
        var buffer = new byte[4096];
        for (long position = length; position > 0;)
        {
            int count = (int)Math.Min(buffer.Length, position);
            position -= count;
            stream.Seek(position, SeekOrigin.Begin);
            stream.ReadExactly(buffer, 0, count);
            int newline = buffer.AsSpan(0, count).LastIndexOf((byte)'\n');
            if (newline >= 0) return position + newline + 1;
        }
        return 0;
    }
}
