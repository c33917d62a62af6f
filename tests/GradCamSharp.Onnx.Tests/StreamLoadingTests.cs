using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>
/// A model read from a stream or asynchronously is the model read from its file; the refusals (empty, too long, not a
/// regular file, cancelled) are the same typed errors.
/// </summary>
public sealed class StreamLoadingTests
{
    private static readonly float[] Weights = [1.5f, -2f, 0.25f, 4f];

    private static OnnxGraphBuilder Scale() => new OnnxGraphBuilder("scale")
        .Input("x", 1, 4)
        .Output("y", 1, 4)
        .Initializer("W", [1, 4], Weights)
        .Node("Mul", "scale", ["x", "W"], ["y"]);

    private static float[] Run(OnnxModule module)
    {
        using Tensor output = module.forward(tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 4));
        return output.data<float>().ToArray();
    }

    [Fact]
    public async Task FromAStream_AndAsynchronously_TheSameModelAsFromItsFile()
    {
        using var folder = new TempFolder();
        string path = Scale().Save(folder["scale.onnx"]);
        float[] expected = [1.5f, -4f, 0.75f, 16f];

        using OnnxModule fromFile = OnnxModule.Load(path);
        using var stream = new MemoryStream(File.ReadAllBytes(path));
        using OnnxModule fromStream = OnnxModule.Load(stream, "scale");
        using OnnxModule fromFileAsync = await OnnxModule.LoadAsync(path);
        using var again = new MemoryStream(File.ReadAllBytes(path));
        using OnnxModule fromStreamAsync = await OnnxModule.LoadAsync(again, "scale");

        Assert.Equal(expected, Run(fromFile));
        Assert.Equal(expected, Run(fromStream));
        Assert.Equal(expected, Run(fromFileAsync));
        Assert.Equal(expected, Run(fromStreamAsync));
        Assert.True(stream.CanRead, "the stream is left open");
    }

    [Fact]
    public async Task EmptyLongUnreadableOrCancelled_AreTypedErrors()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder["a-folder"]);

        Assert.Throws<UnreadableInputException>(() => OnnxModule.Load(new MemoryStream(), "empty"));
        await Assert.ThrowsAsync<UnreadableInputException>(() => OnnxModule.LoadAsync(folder["a-folder"]));
        await Assert.ThrowsAsync<UnreadableInputException>(() => OnnxModule.LoadAsync(folder["missing.onnx"]));
        Assert.Throws<OnnxImportException>(() => OnnxModule.Load(new MemoryStream([1, 2, 3]), "noise"));
        var tooLong = Assert.Throws<UnreadableInputException>(() =>
            UntrustedFile.ReadStream(new MemoryStream(new byte[3000]), "ONNX model", 2048));
        Assert.Contains("longer than", tooLong.Message, StringComparison.Ordinal);
        var closed = new MemoryStream(new byte[8]);
        closed.Dispose();
        Assert.Throws<UnreadableInputException>(() => OnnxModule.Load(closed, "closed"));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            OnnxModule.LoadAsync(new MemoryStream(Scale().ToBytes()), "scale", cancellationToken: cancelled.Token));
    }
}
