using TorchSharp;
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

public sealed class TorchSharpKeepAliveTests
{
    [Fact]
    public void TorchSharpCopy_MarksEveryILMethod_NoOptimizationAndNoInlining()
    {
        (int withBodies, int unmarked) = KeepAliveMarks.Count(typeof(Tensor).Assembly.Location);
        Assert.True(withBodies > 5000, $"only {withBodies} methods with IL bodies");
        Assert.Equal(0, unmarked);
    }

    [Fact]
    public void TensorSums_BesideAThreadThatCollects_NeverReadAFinalizedScalar()
    {
        // Each a + b makes a Scalar alpha = 1 that nothing references once its handle is read; unpatched, one of the
        // first few tens of thousands of sums fails ("Expected false to be true" from LibTorch's Scalar::toFloat).
        using Tensor a = ones(4), b = ones(4);
        bool stop = false;
        var collector = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                GC.Collect(0);
                GC.WaitForPendingFinalizers();
            }
        });
        collector.Start();
        try
        {
            for (int i = 0; i < 100_000; i++)
            {
                using DisposeScope scope = NewDisposeScope();
                Tensor sum = a + b - 1;
                Assert.Equal(1f, sum[3].item<float>());
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            collector.Join();
        }
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
