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

        foreach ((string name, byte[] model) in OnnxSeeds())
        {
            Put("onnx", name, model);
            Put("onnx-run", name, [.. BitConverter.GetBytes(model.Length), .. model]);
        }
        // A model whose weights are external data beside it, at an offset.
        byte[] external = new OnnxGraphBuilder("external")
            .Input("x", 1, 4)
            .Output("y", 1, 4)
            .ExternalInitializer("W", [1, 4], "sub/data.bin", offset: 4, length: 16)
            .Node("Mul", "scale", ["x", "W"], ["y"])
            .ToBytes();
        Put("onnx-run", "external.onnx", [.. BitConverter.GetBytes(external.Length), .. external, .. new byte[4],
            .. BitConverter.GetBytes(1.5f), .. BitConverter.GetBytes(-2f), .. BitConverter.GetBytes(0.25f),
            .. BitConverter.GetBytes(4f)]);
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
        void PutJson(string kind, string text, string? name = null) =>
            Put("json", $"{name ?? kind}.txt", [(byte)Array.IndexOf(kinds, kind), .. Encoding.UTF8.GetBytes(text)]);
        PutJson("boxes", File.ReadAllText(Path.Combine(repository, "samples", "boxes.json")));
        PutJson("preprocessing", """
            {"width": 320, "height": 48, "channel_order": "bgr", "scale": 0.00392157, "mean": [0.5, 0.5, 0.5],
             "std": [0.5, 0.5, 0.5], "resize": "fit-height-pad-right"}
            """);
        PutJson("prototypes", Shortened(Path.Combine(repository, "src", "GradCamSharp.Catalog", "Heads",
            "resnet18-prototypes.json")));
        PutJson("head", Shortened(Path.Combine(repository, "src", "GradCamSharp.Catalog", "Heads",
            "resnet18-everyday.json")));
        PutJson("vision-language", File.ReadAllText(Path.Combine(repository, "src", "GradCamSharp.VisionLanguage",
            "Models", "shapes-vqa.json")));
        PutJson("labels", "dog\nbicycle\ngolden retriever\n");
        PutJson("concept", "horse=a.jpg#405,138,600,343,b.jpg");
        PutJson("voc", """
            <annotation><filename>dog.jpg</filename>
              <object><name>dog</name><bndbox><xmin>77</xmin><ymin>228</ymin><xmax>368</xmax><ymax>500</ymax></bndbox>
              </object></annotation>
            """);
        PutJson("boxes", """
            {"images": [{"id": 1, "file_name": "dog.jpg"}], "categories": [{"id": 18, "name": "dog"}],
             "annotations": [{"image_id": 1, "category_id": 18, "bbox": [76.5, 227.2, 291.3, 272.8], "iscrowd": 0}]}
            """, "coco");
        PutJson("label-map", "dog=golden retriever\n# a comment\nbike = mountain bike\n");
        PutJson("scenes", """
            [{"world": "shapes", "seed": 7, "index": 0, "image": "scene_00000.png", "width": 128, "height": 128,
              "objects": [{"label": "circle", "color": "red", "box": [16, 35, 49, 68], "mask": "m.png"}],
              "captions": ["a red circle"], "questions": []}]
            """);

        string[] web = [.. FuzzTargets.WebKinds];
        void PutWeb(string kind, string text, string name) =>
            Put("web", $"{name}.txt", [(byte)Array.IndexOf(web, kind), .. Encoding.UTF8.GetBytes(text)]);
        PutWeb("multipart", "multipart/form-data; boundary=b\n--b\r\nContent-Disposition: form-data; " +
            "name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNGDATA\r\n--b\r\n" +
            "Content-Disposition: form-data; name=\"method\"\r\n\r\ngradcam\r\n--b--\r\n", "upload");
        PutWeb("answer", """{"participant": "abcdefgh-1", "trial": 3, "choice": "dog", "prefer": null}""", "answer");
        PutWeb("trial", """{"participant": "abcdefgh-1"}""", "trial");

        Put("ocr", "line.bin", [.. BitConverter.GetBytes((ushort)399), .. BitConverter.GetBytes((ushort)31),
            255, 255, 0, 255, 255, 255, 0, 0]);
        Put("ocr", "wide.bin", [.. BitConverter.GetBytes((ushort)59999), .. BitConverter.GetBytes((ushort)29), 0]);
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
