using System.IO.Compression;

namespace GradCamSharp.TestSupport;

/// <summary>
/// Finds the read-only shared/ folder (fixtures and photos) that lives beside the repository, or where
/// GRADCAMSHARP_SHARED points. Tests that need it skip, saying so, where it is absent.
/// </summary>
public static class SharedFixtures
{
    public static string? Root { get; } = Locate();

    /// <summary>The architecture fixtures of <c>fixtures/onnx/</c> (random weights), by name.</summary>
    public static TheoryData<string> OnnxArchitectures => new()
    {
        "resnet18", "vgg11_bn_small", "squeezenet1_1", "googlenet", "densenet121", "mobilenet_v2", "mobilenet_v3_small",
        "efficientnet_b0", "shufflenet_v2_x1_0",
    };

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The repository's samples/ folder: the shipped photos, their boxes and licences.</summary>
    public static string Samples => Path.Combine(RepositoryRoot, "samples");

    /// <summary>A shipped photo's path.</summary>
    public static string Sample(string name) => Path.Combine(Samples, name);

    /// <summary>
    /// The box [x0, y0, x1, y1] of <paramref name="label"/> in <paramref name="photo"/>, from samples/boxes.json.
    /// </summary>
    public static int[] SampleBox(string photo, string label)
    {
        using var boxes = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Samples, "boxes.json")));
        return boxes.RootElement.GetProperty(photo).GetProperty(label).EnumerateArray().Select(v => v.GetInt32())
            .ToArray();
    }

    /// <summary>The full path of <paramref name="relative"/> under shared/, or a skip when it is not there.</summary>
    public static string Require(string relative)
    {
        Skip.If(Root is null, "shared/ fixtures not found beside the repository (set GRADCAMSHARP_SHARED)");
        string path = Path.Combine(Root!, relative);
        Skip.IfNot(File.Exists(path) || Directory.Exists(path), $"shared fixture {relative} not found under {Root}");
        return path;
    }

    /// <summary>Decompresses a .gz fixture once per test run and returns the path of the plain file.</summary>
    public static string RequireGunzipped(string relative)
    {
        string compressed = Require(relative);
        string folder = Path.Combine(Path.GetTempPath(), "gradcamsharp-fixtures");
        Directory.CreateDirectory(folder);
        string plain = Path.Combine(folder, Path.GetFileNameWithoutExtension(compressed));
        lock (Lock)
        {
            if (!File.Exists(plain) || File.GetLastWriteTimeUtc(plain) < File.GetLastWriteTimeUtc(compressed))
            {
                string partial = plain + $".{Environment.ProcessId}.partial";
                using (FileStream source = File.OpenRead(compressed))
                using (var gzip = new GZipStream(source, CompressionMode.Decompress))
                using (FileStream target = File.Create(partial))
                {
                    gzip.CopyTo(target);
                }
                File.Move(partial, plain, overwrite: true);
            }
        }
        return plain;
    }

    public static float[] ReadFloats(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    private static readonly object Lock = new();

    private static string? Locate()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("GRADCAMSHARP_SHARED");
        if (!string.IsNullOrEmpty(fromEnvironment) && Directory.Exists(fromEnvironment)) return fromEnvironment;
        foreach (string candidate in new[] { Path.Combine(FindRepositoryRoot(), "..", "shared"),
            Path.Combine(FindRepositoryRoot(), "shared") })
        {
            if (Directory.Exists(Path.Combine(candidate, "fixtures"))) return Path.GetFullPath(candidate);
        }
        return null;
    }

    private static string FindRepositoryRoot()
    {
        for (DirectoryInfo? folder = new(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "GradCamSharp.sln"))) return folder.FullName;
        }
        throw new InvalidOperationException("GradCamSharp.sln not found above " + AppContext.BaseDirectory);
    }
}
