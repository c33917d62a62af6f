using GradCamSharp.Maps;

namespace GradCamSharp.Imaging.Tests;

public sealed class NpyFileTests
{
    [Fact]
    public void Maps_RoundTrip_WithNumPysAlignedHeader()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "map.npy");
        var map = new Heatmap(3, 2, [0f, 1.5f, -2f, float.Epsilon, 1e6f, 0.25f]);

        NpyFile.Save(map, path);
        byte[] bytes = File.ReadAllBytes(path);
        Heatmap read = NpyFile.Load(path);

        int headerLength = bytes[8] | bytes[9] << 8;
        string header = System.Text.Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.Equal(0, (10 + headerLength) % 64);
        Assert.EndsWith("\n", header);
        Assert.Contains("'shape': (2, 3)", header);
        Assert.Equal(10 + headerLength + 6 * 4, bytes.Length);
        Assert.Equal((3, 2), (read.Width, read.Height));
        Assert.Equal(map.Values, read.Values);
    }
}
