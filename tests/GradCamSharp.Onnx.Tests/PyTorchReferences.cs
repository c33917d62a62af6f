using System.Text.Json;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>
/// What the tests against PyTorch's own maps share: the fixtures the Python scripts beside them make, the input those
/// scripts feed, and reading their JSON.
/// </summary>
internal static class PyTorchReferences
{
    /// <summary>A file of the transformers/ or segmentation/ fixture folder.</summary>
    public static string Fixture(string folder, string name) =>
        Path.Combine(SharedFixtures.RepositoryRoot, "tests", "GradCamSharp.Onnx.Tests", folder, name);

    /// <summary>The input make_vit.py and its neighbours feed: 0.5 sin(0.37 i) over the flat index of [1, 3, S, S].
    /// </summary>
    public static Tensor SineInput(int size) =>
        (0.5 * sin(0.37 * arange(3 * size * size, ScalarType.Float64))).to(ScalarType.Float32)
            .reshape(1, 3, size, size);

    /// <summary>A JSON array of numbers.</summary>
    public static float[] Floats(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetSingle())];
}
