using System.Diagnostics;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>
/// A model file is untrusted input: its external data is read only from regular files inside the model's own folder,
/// within their bounds and at the tensors' declared sizes, and everything else is refused before a byte is read.
/// </summary>
public sealed class ExternalDataTests
{
    private static readonly float[] Weights = [1.5f, -2f, 0.25f, 4f];

    /// <summary>y = x * W, with W [1, 4] read from <paramref name="location"/>.</summary>
    private static string SaveModel(TempFolder folder, string location, long? offset = null, long? length = null,
        string name = "model.onnx", long elements = 4) =>
        new OnnxGraphBuilder("external")
            .Input("x", 1, elements)
            .Output("y", 1, elements)
            .ExternalInitializer("W", [1, elements], location, offset, length)
            .Node("Mul", "scale", ["x", "W"], ["y"])
            .Save(folder[name]);

    private static byte[] WeightBytes => MemoryMarshal.AsBytes(Weights.AsSpan()).ToArray();

    [Fact]
    public void DataInsideTheFolder_IsRead_AtItsOffset_AndThroughLinksThatStayInside()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder["weights"]);
        File.WriteAllBytes(folder["weights/w.bin"], [.. new byte[8], .. WeightBytes]);
        File.CreateSymbolicLink(folder["inside-link.bin"], "weights/w.bin");

        foreach (string location in new[] { "weights/w.bin", "inside-link.bin", "./weights/w.bin" })
        {
            using OnnxModule module = OnnxModule.Load(SaveModel(folder, location, offset: 8, length: 16));
            using Tensor output = module.forward(ones(1, 4));
            Assert.Equal(Weights, output.data<float>().ToArray());
        }
    }

    [Theory]
    [InlineData("../../../../../../../../etc/passwd", "outside the model's folder")]
    [InlineData("weights/../../secret.bin", "outside the model's folder")]
    [InlineData("/etc/passwd", "only a path inside the model's folder")]
    [InlineData("C:/Windows/win.ini", "only a path inside the model's folder")]
    [InlineData("..\\secret.bin", "outside the model's folder")]
    public void PathsThatLeaveTheFolder_AreRefused(string location, string reason)
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder["model"]);
        File.WriteAllBytes(folder["secret.bin"], WeightBytes);
        string model = SaveModel(folder, location, name: "model/model.onnx");

        var refused = Assert.Throws<OnnxImportException>(() => OnnxModule.Load(model));
        Assert.Contains(reason, refused.Message);
        Assert.IsAssignableFrom<UnreadableInputException>(refused);
    }

    [Fact]
    public void SymbolicLinksThatLeaveTheFolder_AreRefused_WhereverTheyStand()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder["model"]);
        Directory.CreateDirectory(folder["elsewhere"]);
        File.WriteAllBytes(folder["elsewhere/secret.bin"], WeightBytes);
        File.CreateSymbolicLink(folder["model/direct.bin"], folder["elsewhere/secret.bin"]);
        File.CreateSymbolicLink(folder["model/relative.bin"], "../elsewhere/secret.bin");
        Directory.CreateSymbolicLink(folder["model/sub"], folder["elsewhere"]);
        // A link inside that points at a link leaving: followed to its end.
        File.CreateSymbolicLink(folder["model/chain.bin"], "direct.bin");
        // "..": after a link, the parent is the link target's, not the link's folder.
        Directory.CreateDirectory(folder["elsewhere/deeper"]);
        Directory.CreateSymbolicLink(folder["model/deep"], folder["elsewhere/deeper"]);

        foreach (string location in new[] { "direct.bin", "relative.bin", "sub/secret.bin", "chain.bin",
            "deep/../secret.bin".Replace("..", "%") })
        {
            string model = SaveModel(folder, location.Replace("%", ".."), name: "model/model.onnx");
            var refused = Assert.Throws<OnnxImportException>(() => OnnxModule.Load(model));
            Assert.Contains("outside the model's folder", refused.Message);
        }
    }

    [Fact]
    public async Task DevicesAndFifos_AreRefusedAtOnce_WithoutReadingThem()
    {
        using var folder = new TempFolder();
        File.CreateSymbolicLink(folder["zero-link.bin"], "/dev/zero");
        Assert.Contains("outside the model's folder", Assert.Throws<OnnxImportException>(() =>
            OnnxModule.Load(SaveModel(folder, "zero-link.bin"))).Message);

        using (Process mkfifo = Process.Start("mkfifo", [folder["pipe.bin"]]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        Task<OnnxModule> load = Task.Run(() => OnnxModule.Load(SaveModel(folder, "pipe.bin")));
        Assert.Same(load, await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(20))));
        var refused = await Assert.ThrowsAsync<OnnxImportException>(() => load);
        Assert.Contains("holds 0", refused.Message);
    }

    [Theory]
    [InlineData(0L, 8L, "names 8 bytes")]                // the declared length is not the tensor's size
    [InlineData(8L, null, "reads bytes 8 to 24")]        // past the end of the file
    [InlineData(100L, 16L, "reads bytes 100 to 116")]    // an offset beyond the file
    public void OffsetsAndLengths_OutsideTheFileOrTheTensor_AreRefused(long offset, long? length, string reason)
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder["w.bin"], WeightBytes);
        var refused = Assert.Throws<OnnxImportException>(() =>
            OnnxModule.Load(SaveModel(folder, "w.bin", offset, length)));
        Assert.Contains(reason, refused.Message);
    }

    [Fact]
    public void AHugeDeclaredTensor_OverATinyFile_IsRefusedBeforeAnythingIsAllocated()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder["w.bin"], WeightBytes);
        long before = GC.GetTotalAllocatedBytes();
        var refused = Assert.Throws<OnnxImportException>(() =>
            OnnxModule.Load(SaveModel(folder, "w.bin", elements: 1L << 28)));
        Assert.Contains("which holds 16", refused.Message);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 64 << 20);
    }

    [Fact]
    public void TensorsRepeatingTheSameBytes_CannotReadMoreThanTheFilesHold()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder["w.bin"], WeightBytes);
        string model = new OnnxGraphBuilder("repeat")
            .Input("x", 1, 4)
            .Output("y", 1, 4)
            .ExternalInitializer("A", [1, 4], "w.bin")
            .ExternalInitializer("B", [1, 4], "w.bin")
            .Node("Mul", "a", ["x", "A"], ["xa"])
            .Node("Mul", "b", ["xa", "B"], ["y"])
            .Save(folder["model.onnx"]);
        Assert.Contains("16 bytes in all", Assert.Throws<OnnxImportException>(() => OnnxModule.Load(model)).Message);
    }

    [Theory]
    [InlineData("-8")]
    [InlineData("0x10")]
    [InlineData("99999999999999999999999")]
    public void MalformedOffsets_AreRefused(string offset)
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder["w.bin"], WeightBytes);
        string model = new OnnxGraphBuilder("offset")
            .Input("x", 1, 4)
            .Output("y", 1, 4)
            .ExternalInitializer("W", [1, 4], ("location", "w.bin"), ("offset", offset))
            .Node("Mul", "scale", ["x", "W"], ["y"])
            .Save(folder["model.onnx"]);
        Assert.Contains("not a non-negative whole number",
            Assert.Throws<OnnxImportException>(() => OnnxModule.Load(model)).Message);
    }

    [Fact]
    public void AModelHeldInMemory_MayNameNoFile_AndAMissingFileIsNamed()
    {
        using var folder = new TempFolder();
        string model = SaveModel(folder, "missing.bin");
        Assert.Contains("has no folder for", Assert.Throws<OnnxImportException>(() =>
            OnnxModule.Load(File.ReadAllBytes(model), null, "memory")).Message);
        Assert.Contains("'missing.bin', which is missing",
            Assert.Throws<OnnxImportException>(() => OnnxModule.Load(model)).Message);
    }

    [Fact]
    public void ANameWithANewline_StaysOnOneLine()
    {
        using var folder = new TempFolder();
        var refused = Assert.Throws<OnnxImportException>(() =>
            OnnxModule.Load(SaveModel(folder, "../evil\nFAKE: all good")));
        Assert.DoesNotContain("\n", refused.Message);
        Assert.Contains("evil\\nFAKE", refused.Message);
    }
}
