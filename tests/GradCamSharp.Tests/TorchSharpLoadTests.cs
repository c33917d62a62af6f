using System.Text;
using static TorchSharp.torch;

namespace GradCamSharp.Tests;

[Collection(TorchCollection.Name)]
public sealed class TorchSharpLoadTests
{
    [Fact]
    public void LibTorch_LoadsAndComputes_OnThisHost()
    {
        using Tensor product = ones(2, 3).matmul(ones(3, 4));
        Assert.Equal(3f, product[1, 2].item<float>());
    }

    [Fact]
    public void LibTorchSharpCopy_AsksForGlibcxx3432_OnlyWeaklyWhereHostLacksIt()
    {
        string host = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
        if (!File.Exists(host)) return;
        bool hostHasIt = File.ReadAllBytes(host).AsSpan().IndexOf("GLIBCXX_3.4.32\0"u8) >= 0;
        string copy = Directory.GetFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).Single();
        ushort? flags = ElfVersionNeeds.FlagsOf(File.ReadAllBytes(copy), "GLIBCXX_3.4.32");
        Assert.NotNull(flags);
        Assert.Equal(!hostHasIt, (flags & 0x2) != 0);
    }
}
