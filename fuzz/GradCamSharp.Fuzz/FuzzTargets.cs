using System.Text;
using System.Text.Json;
using GradCamSharp.Imaging;
using GradCamSharp.Models;
using GradCamSharp.Onnx;
using GradCamSharp.Catalog.Heads;
using GradCamSharp.Ocr;
using GradCamSharp.VisionLanguage;
using GradCamSharp.Web;
using GradCamSharp.Web.Study;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;
using GradCamSharp.Catalog;
using GradCamSharp.Classification;
using GradCamSharp.Scenes;

namespace GradCamSharp.Fuzz;

/// <summary>
/// The parsers that take untrusted bytes, as fuzzing targets. A target returns normally when the parser accepts the
/// input or refuses it the documented way (<see cref="UnreadableInputException"/> or <see cref="UsageException"/>,
/// which the command line reports in one line and the web service as a 4xx); any other exception, a crash or a hang
/// is a finding.
/// </summary>
public static class FuzzTargets
{
    /// <summary>The target names, as the fuzzer and the regression tests take them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["onnx", "onnx-run", "image", "json", "web", "ocr"];

    /// <summary>The JSON, XML and text inputs, chosen by the first byte of a <c>json</c> input.</summary>
    public static IReadOnlyList<string> JsonKinds { get; } =
        ["boxes", "preprocessing", "prototypes", "head", "vision-language", "labels", "concept", "voc", "label-map",
            "scenes"];

    /// <summary>The web bodies, chosen by the first byte of a <c>web</c> input.</summary>
    public static IReadOnlyList<string> WebKinds { get; } = ["multipart", "answer", "trial"];

    /// <summary>Runs target <paramref name="name"/> on <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">An unknown target.</exception>
    public static void Run(string name, byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Action<byte[]> target = Target(name);
        try
        {
            target(input);
        }
        catch (Exception exception) when (IsDocumentedRefusal(exception))
        {
            // Refused cleanly: what the command line reports as exit code 3 or 2, the web service as a 4xx.
        }
    }

    /// <summary>The target called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">An unknown target.</exception>
    public static Action<byte[]> Target(string name) => name switch
    {
        "onnx" => Onnx,
        "onnx-run" => OnnxRun,
        "image" => Image,
        "json" => Json,
        "web" => Web,
        "ocr" => Ocr,
        _ => throw new ArgumentException($"unknown target '{name}'; known: {string.Join(", ", Names)}"),
    };

    /// <summary>
    /// Whether <paramref name="exception"/> is a refusal the documentation promises: unreadable input or a usage
    /// error (a malformed web form among them), or the web framework's own 4xx.
    /// </summary>
    public static bool IsDocumentedRefusal(Exception exception) =>
        exception is UnreadableInputException or UsageException or BadHttpRequestException
            { StatusCode: >= 400 and < 500 };

    /// <summary>
    /// An ONNX model: protobuf parsing and graph compilation, as <c>gradcam explain --model</c> does.
    /// </summary>
    public static void Onnx(byte[] input)
    {
        using OnnxModule module = OnnxModule.Load(input, baseDirectory: null, "fuzz");
        using var model = new OnnxExplainableModel(module, leaveOpen: true);
    }

    /// <summary>
    /// An ONNX model in a folder of its own, beside a data file, loaded from its path and run: the external-data
    /// rules (the model may name any location: <c>../</c>, absolute paths, the data file at any offset and length)
    /// and the graph with hostile shapes (each input given zeros of its declared shape, sides capped at 8). The input
    /// is a 4-byte little-endian model length, the model, then the data file's bytes.
    /// </summary>
    public static void OnnxRun(byte[] input)
    {
        if (input.Length < 4) return;
        int length = (int)Math.Min(BitConverter.ToUInt32(input, 0), (uint)(input.Length - 4));
        string folder = Path.Combine(ScratchFolder, $"model-{Environment.ProcessId}");
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), input[4..(4 + length)]);
        File.WriteAllBytes(Path.Combine(folder, "data.bin"), input[(4 + length)..]);
        File.WriteAllBytes(Path.Combine(folder, "sub", "data.bin"), input[(4 + length)..]);
        using OnnxModule module = OnnxModule.Load(Path.Combine(folder, "model.onnx"));
        if (module.InputNames.Count == 0 || module.OutputNames.Count == 0) return;
        using DisposeScope scope = NewDisposeScope();
        var inputs = module.InputNames.ToDictionary(name => name, name => zeros(
            (module.DeclaredShape(name) ?? [1]).Select(d => d is > 0 and <= 8 ? d : d > 8 ? 8 : 2).ToArray()));
        using var noGrad = no_grad();
        module.Run(inputs, ForwardTaps.None);
    }

    /// <summary>An image: header check, decoding (downscaled when large) and orientation.</summary>
    public static void Image(byte[] input)
    {
        var options = new ImageDecodeOptions { MaxPixels = 4_000_000, MaxSide = 512 };
        using SKBitmap bitmap = ImageLoader.Decode(input, "fuzz", options);
        using SKBitmap partial = ImageLoader.Decode(input, "fuzz", options with { AllowPartial = true });
    }

    /// <summary>
    /// A JSON, XML or text input of the kind <c>JsonKinds[input[0] % count]</c>, through the reader
    /// <c>gradcam evaluate</c> and the loaders use for it: boxes (<see cref="GroundTruth.Read"/>, which tells COCO
    /// from GradCamSharp's JSON), a PASCAL VOC annotation, a label map, a preprocessing descriptor, a prototype file,
    /// a head file, a vision-language model description, a label file, a --concept value.
    /// </summary>
    public static void Json(byte[] input)
    {
        if (input.Length == 0) return;
        string kind = JsonKinds[input[0] % JsonKinds.Count];
        byte[] content = input[1..];
        if (kind == "concept")
        {
            _ = Concept.Parse(Encoding.UTF8.GetString(content));
            return;
        }
        string path = Path.Combine(ScratchFolder, $"input-{Environment.ProcessId}.{(kind == "voc" ? "xml" : "json")}");
        File.WriteAllBytes(path, content);
        switch (kind)
        {
            case "boxes" or "voc":
                _ = GroundTruth.Read(path, ScratchFolder).SelectMany(EvaluationRunner.Cases).ToList();
                break;
            case "label-map":
                _ = GroundTruth.ReadLabelMap(path);
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
            case "scenes":
                _ = SceneWriter.ReadIndex(path);
                break;
            default:
                _ = Labels.Read(path);
                break;
        }
    }

    /// <summary>
    /// A body of the web API of the kind <c>WebKinds[input[0] % count]</c>: a multipart upload read exactly as the
    /// explain, caption and VQA endpoints read it (the line after the kind byte is the Content-Type header, the rest
    /// the body), or a study answer or trial request read as the study's endpoints bind JSON.
    /// </summary>
    public static void Web(byte[] input)
    {
        if (input.Length == 0) return;
        string kind = WebKinds[input[0] % WebKinds.Count];
        byte[] content = input[1..];
        switch (kind)
        {
            case "multipart":
                int newline = Array.IndexOf(content, (byte)'\n');
                string contentType = newline < 0 ? "multipart/form-data; boundary=b"
                    : Encoding.Latin1.GetString(content, 0, newline).Trim();
                byte[] body = newline < 0 ? content : content[(newline + 1)..];
                var limits = new WebLimits { MaxUploadMegabytes = 1 };
                var context = new DefaultHttpContext();
                context.Request.ContentType = contentType;
                context.Request.Body = new MemoryStream(body);
                context.Request.ContentLength = body.Length;
                context.Features.Set<IFormFeature>(new FormFeature(context.Request,
                    GradCamServer.FormOptionsFor(limits)));
                _ = ExplainEndpoints.ReadUpload(context.Request, limits, CancellationToken.None).GetAwaiter()
                    .GetResult();
                break;
            case "answer":
                Bind<TrialAnswer>(content);
                break;
            default:
                Bind<TrialRequest>(content);
                break;
        }
    }

    /// <summary>
    /// The OCR line reader on a picture of any shape: a 2-byte width (1 to 65,536) and a 2-byte height (1 to 4,096),
    /// then the pixels' grey levels repeated. The windows must tile the line for any shape; lines of at most eight
    /// windows are read through them (with the models, where the build fetched them).
    /// </summary>
    public static void Ocr(byte[] input)
    {
        if (input.Length < 4) return;
        int width = 1 + BitConverter.ToUInt16(input, 0), height = 1 + BitConverter.ToUInt16(input, 2) % 4096;
        IReadOnlyList<LineWindow> windows = TextRecognizer.Windows(width, height);
        int covered = 0;
        foreach (LineWindow window in windows)
        {
            if (window.Own0 != covered || window.X0 > window.Own0 || window.Own1 > window.X1 || window.X1 > width
                || TextRecognizer.PreprocessingFor(window.X1 - window.X0, height).Width
                    > Math.Max(TextRecognizer.MaxWindowColumns, TextRecognizer.MinimumInputWidth))
                throw new InvalidOperationException($"{width}x{height}: window {window} breaks the tiling");
            covered = window.Own1;
        }
        if (covered != width) throw new InvalidOperationException($"{width}x{height}: windows end at {covered}");
        if (windows.Count > 8 || (long)width * height > 4_000_000 || Recognizer.Value is not TextRecognizer reader)
            return;
        using var line = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        ReadOnlySpan<byte> grey = input.AsSpan(4);
        Span<byte> pixels = line.GetPixelSpan();
        for (int i = 0; i < width * height; i++)
        {
            byte level = grey.IsEmpty ? (byte)255 : grey[i % grey.Length];
            pixels[4 * i] = pixels[4 * i + 1] = pixels[4 * i + 2] = level;
            pixels[4 * i + 3] = 255;
        }
        using DisposeScope scope = NewDisposeScope();
        _ = reader.ReadWindows(line);
    }

    private static readonly Lazy<TextRecognizer?> Recognizer = new(() =>
        PaddleOcrModels.Available ? TextRecognizer.Load() : null);

    private static void Bind<T>(byte[] json)
    {
        try
        {
            _ = JsonSerializer.Deserialize<T>(json, JsonSerializerOptions.Web);
        }
        catch (JsonException exception)
        {
            // What the study's endpoints answer as 400 with the parser's reason.
            throw new UsageException(exception.Message, exception);
        }
    }

    /// <summary>Memory-backed when the machine has one, so that millions of runs do not wear a disk.</summary>
    private static string ScratchFolder { get; } = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
}
