using GradCamSharp.Imaging;
using GradCamSharp.Onnx;
using GradCamSharp.Pipeline;
using GradCamSharp.Pipeline.Heads;
using GradCamSharp.VisionLanguage;
using SkiaSharp;

namespace GradCamSharp.Fuzz;

/// <summary>
/// The parsers that take untrusted bytes, as fuzzing targets. A target returns normally when the parser accepts the
/// input or refuses it the documented way (<see cref="UnreadableInputException"/> or <see cref="UsageException"/>,
/// which the command line reports in one line); any other exception, a crash or a hang is a finding.
/// </summary>
public static class FuzzTargets
{
    /// <summary>The target names, as the fuzzer and the regression tests take them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["onnx", "image", "json"];

    /// <summary>The JSON and text inputs, chosen by the first byte of a <c>json</c> input.</summary>
    public static IReadOnlyList<string> JsonKinds { get; } =
        ["boxes", "preprocessing", "prototypes", "head", "vision-language", "labels", "concept"];

    /// <summary>Runs target <paramref name="name"/> on <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">An unknown target.</exception>
    public static void Run(string name, byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Action<byte[]> target = name switch
        {
            "onnx" => Onnx,
            "image" => Image,
            "json" => Json,
            _ => throw new ArgumentException($"unknown target '{name}'; known: {string.Join(", ", Names)}"),
        };
        try
        {
            target(input);
        }
        catch (Exception exception) when (exception is UnreadableInputException or UsageException)
        {
            // Refused cleanly: what the command line reports as exit code 3 or 2.
        }
    }

    /// <summary>
    /// An ONNX model: protobuf parsing and graph compilation, as <c>gradcam explain --model</c> does.
    /// </summary>
    public static void Onnx(byte[] input)
    {
        using OnnxModule module = OnnxModule.Load(input, baseDirectory: null, "fuzz");
        using var model = new OnnxExplainableModel(module, leaveOpen: true);
    }

    /// <summary>An image: header check, decoding (downscaled when large) and orientation.</summary>
    public static void Image(byte[] input)
    {
        var options = new ImageDecodeOptions { MaxPixels = 4_000_000, MaxSide = 512 };
        using SKBitmap bitmap = ImageLoader.Decode(input, "fuzz", options);
        using SKBitmap partial = ImageLoader.Decode(input, "fuzz", options with { AllowPartial = true });
    }

    /// <summary>
    /// A JSON or text input of the kind <c>JsonKinds[input[0] % count]</c>: boxes, a preprocessing descriptor, a
    /// prototype file, a head file, a vision-language model description, a label file, a --concept value.
    /// </summary>
    public static void Json(byte[] input)
    {
        if (input.Length == 0) return;
        string kind = JsonKinds[input[0] % JsonKinds.Count];
        byte[] content = input[1..];
        if (kind == "concept")
        {
            _ = Concept.Parse(System.Text.Encoding.UTF8.GetString(content));
            return;
        }
        string path = Path.Combine(ScratchFolder, $"input-{Environment.ProcessId}.json");
        File.WriteAllBytes(path, content);
        switch (kind)
        {
            case "boxes":
                _ = EvaluationRunner.ReadBoxes(path, ScratchFolder);
                break;
            case "preprocessing":
                _ = PreprocessingDescriptor.Read(path);
                break;
            case "prototypes":
                _ = PrototypeSet.Load(path);
                break;
            case "head":
                _ = HeadFile.Load(path);
                break;
            case "vision-language":
                _ = VisionLanguageFile.Load(path);
                break;
            default:
                _ = Labels.Read(path);
                break;
        }
    }

    /// <summary>Memory-backed when the machine has one, so that millions of runs do not wear a disk.</summary>
    private static string ScratchFolder { get; } = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
}
