using System.Text;
using System.Text.Json.Nodes;
using GradCamSharp.Imaging;
using GradCamSharp.TestSupport;
using SkiaSharp;

namespace GradCamSharp.Fuzz;

/// <summary>
/// The starting corpora, made from the shipped files: small ONNX graphs of the operators the models use (and the
/// text-orientation classifier of the shared fixtures when present), a shipped photo in every format, and the
/// shipped JSON files with their long number arrays cut short (fuzzers work best on small inputs).
/// </summary>
public static class Seeds
{
    /// <summary>Writes <paramref name="root"/>/TARGET/* for every target; returns the number of files.</summary>
    /// <param name="root">The corpus folder.</param>
    /// <param name="repository">The repository root (for samples/ and the shipped JSON files).</param>
    public static int Write(string root, string repository)
    {
        int count = 0;
        void Put(string target, string name, byte[] bytes)
        {
            Directory.CreateDirectory(Path.Combine(root, target));
            File.WriteAllBytes(Path.Combine(root, target, name), bytes);
            count++;
        }

        foreach ((string name, byte[] model) in OnnxSeeds()) Put("onnx", name, model);
        string orientation = Path.Combine(repository, "..", "shared", "fixtures", "onnx",
            "text_orientation_ppocr_cls.onnx");
        if (File.Exists(orientation)) Put("onnx", "text_orientation.onnx", File.ReadAllBytes(orientation));

        using (SKBitmap dog = ImageLoader.Load(Path.Combine(repository, "samples", "dog.jpg")))
        using (SKBitmap small = ImagePreprocessor.Resize(dog, 32, 24))
        {
            Put("image", "dog.png", small.Encode(SKEncodedImageFormat.Png, 100).ToArray());
            Put("image", "dog.jpg", small.Encode(SKEncodedImageFormat.Jpeg, 80).ToArray());
            Put("image", "dog.webp", small.Encode(SKEncodedImageFormat.Webp, 80).ToArray());
        }

        string[] kinds = [.. FuzzTargets.JsonKinds];
        void PutJson(string kind, string text) =>
            Put("json", $"{kind}.txt", [(byte)Array.IndexOf(kinds, kind), .. Encoding.UTF8.GetBytes(text)]);
        PutJson("boxes", File.ReadAllText(Path.Combine(repository, "samples", "boxes.json")));
        PutJson("preprocessing", """
            {"width": 320, "height": 48, "channel_order": "bgr", "scale": 0.00392157, "mean": [0.5, 0.5, 0.5],
             "std": [0.5, 0.5, 0.5], "resize": "fit-height-pad-right"}
            """);
        PutJson("prototypes", Shortened(Path.Combine(repository, "src", "GradCamSharp.Pipeline", "Heads",
            "resnet18-prototypes.json")));
        PutJson("head", Shortened(Path.Combine(repository, "src", "GradCamSharp.Pipeline", "Heads",
            "resnet18-everyday.json")));
        PutJson("vision-language", File.ReadAllText(Path.Combine(repository, "src", "GradCamSharp.VisionLanguage",
            "Models", "shapes-vqa.json")));
        PutJson("labels", "dog\nbicycle\ngolden retriever\n");
        PutJson("concept", "horse=a.jpg#405,138,600,343,b.jpg");
        return count;
    }

    private static IEnumerable<(string Name, byte[] Model)> OnnxSeeds()
    {
        yield return ("cnn.onnx", new OnnxGraphBuilder("cnn")
            .Input("x", 1, 3, 8, 8)
            .Output("y", 1, 2)
            .Initializer("w", [4, 3, 3, 3], Enumerable.Range(0, 108).Select(i => i / 108f - 0.5f).ToArray())
            .Initializer("fc", [2, 4], [1, -1, 0.5f, 0, 0, 1, -0.5f, 2])
            .Node("Conv", "conv", ["x", "w"], ["c"], ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Relu", "relu", ["c"], ["r"])
            .Node("GlobalAveragePool", "pool", ["r"], ["p"])
            .Node("Flatten", "flatten", ["p"], ["f"])
            .Node("Gemm", "fc", ["f", "fc"], ["g"], ("transB", 1L))
            .Node("Softmax", "softmax", ["g"], ["y"])
            .ToBytes());
        yield return ("reshape.onnx", new OnnxGraphBuilder("reshape")
            .Input("x", 1, 3, 4, 4)
            .Output("y", 1, 48)
            .Initializer("shape", [2], new long[] { 1, 48 })
            .Node("Sigmoid", "sigmoid", ["x"], ["s"])
            .Node("Reshape", "reshape", ["s", "shape"], ["y"])
            .ToBytes());
    }

    /// <summary>The JSON file with every number array cut to its first four numbers.</summary>
    private static string Shortened(string path)
    {
        JsonNode root = JsonNode.Parse(File.ReadAllText(path))!;
        Shorten(root);
        return root.ToJsonString();
    }

    private static void Shorten(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array when array.Count > 4 && array[0] is JsonValue:
                while (array.Count > 4) array.RemoveAt(array.Count - 1);
                break;
            case JsonArray array:
                foreach (JsonNode? item in array) Shorten(item);
                break;
            case JsonObject obj:
                foreach (KeyValuePair<string, JsonNode?> property in obj) Shorten(property.Value);
                break;
        }
    }
}
