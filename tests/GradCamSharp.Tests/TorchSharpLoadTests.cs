using static TorchSharp.torch;

namespace GradCamSharp.Tests;

public sealed class TorchSharpLoadTests
{
    [Fact]
    public void LibTorch_LoadsAndComputes_OnThisHost()
    {
        using Tensor product = ones(2, 3).matmul(ones(3, 4));
        Assert.Equal(3f, product[1, 2].item<float>());
    }

    [SkippableFact]
    public void LibTorchSharpCopy_AsksForGlibcxx3432_OnlyWeaklyWhereHostLacksIt()
    {
        string host = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
        Skip.IfNot(File.Exists(host), $"{host} not found: the build-time fix applies to x86-64 Linux only");
        bool hostHasIt = File.ReadAllBytes(host).AsSpan().IndexOf("GLIBCXX_3.4.32\0"u8) >= 0;
        string copy = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        ushort? flags = ElfVersionNeeds.FlagsOf(File.ReadAllBytes(copy), "GLIBCXX_3.4.32");
        Assert.NotNull(flags);
        Assert.Equal(!hostHasIt, (flags & 0x2) != 0);
    }
}

public sealed class LibTorchLoadFailureTests
{
    [Fact]
    public void TorchSharpsMisleadingMessage_IsRecognised_AndTheFixNamed()
    {
        var torchSharp =
            new NotSupportedException("The libtorch-cpu-linux-x64 package version 2.10.0 is not restored " +
            "on this system ... the project doesn't contain a reference to libtorch-cpu-linux-x64");
        Assert.True(LibTorchLoadFailure.Matches(new TypeInitializationException("TorchSharp.torch", torchSharp)));
        Assert.False(LibTorchLoadFailure.Matches(new InvalidOperationException("shape mismatch")));
        Assert.Contains("GLIBCXX_3.4.32", LibTorchLoadFailure.Fix);
        Assert.Contains("LibTorchSharpGlibcxx.targets", LibTorchLoadFailure.Fix);
    }
}
