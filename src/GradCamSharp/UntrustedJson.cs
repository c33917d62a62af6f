using System.Text.Json;

namespace GradCamSharp;

/// <summary>
/// Reads a JSON file that a user (or anyone) may have written: a missing member, a null where a value is required,
/// a wrong type or broken syntax all become one <see cref="UnreadableInputException"/> naming the file, never a
/// <see cref="NullReferenceException"/> later (found by fuzzing; see fuzz/run).
/// </summary>
public static class UntrustedJson
{
    /// <summary>
    /// <paramref name="options"/> (or the defaults) made strict: non-nullable members refuse null, and required
    /// constructor parameters must be present.
    /// </summary>
    public static JsonSerializerOptions Strict(JsonSerializerOptions? options = null) =>
        new(options ?? JsonSerializerOptions.Default)
        {
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
        };

    /// <summary>Reads <paramref name="path"/> as a <typeparamref name="T"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What the file is, for messages: "head file", "preprocessing descriptor".</param>
    /// <param name="options">Strict options (see <see cref="Strict"/>).</param>
    /// <exception cref="UnreadableInputException">Missing, unreadable, empty or malformed.</exception>
    public static T Read<T>(string path, string what, JsonSerializerOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(path)) throw new UnreadableInputException($"{what} '{path}' not found");
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), options)
                ?? throw new UnreadableInputException($"{what} '{path}' is empty (null)");
        }
        catch (JsonException exception)
        {
            throw new UnreadableInputException($"{what} '{path}' is malformed: {exception.Message}", exception);
        }
        catch (Exception exception) when (exception is IOException and not UnreadableInputException
            or UnauthorizedAccessException)
        {
            throw new UnreadableInputException($"{what} '{path}' cannot be read: {exception.Message}", exception);
        }
    }
}
