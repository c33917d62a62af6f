using System.Runtime.InteropServices;

namespace GradCamSharp;

/// <summary>
/// Tunes glibc's heap, where LibTorch's tensors and SkiaSharp's pixels live, for the process as a whole: so it is the
/// application's choice, made once at its entry point (the <c>gradcam</c> command does), never a side effect of
/// building a model. Every method is a no-op where the C library is not glibc.
/// </summary>
public static class NativeHeap
{
    private const int TrimThresholdOption = -1, MmapThresholdOption = -3, ArenaMaxOption = -8;
    private const int MmapThreshold = 32 << 20, TrimThreshold = 512 << 20;
    private static int s_keeping;

    /// <summary>
    /// Keeps glibc's heap from handing each freed activation back to the system only to fault it in again on the
    /// next pass. Models here free every intermediate value as soon as it is consumed (PyTorch's reference counting
    /// does the same), which bounds memory to what a pass needs at once; but glibc serves blocks above its mmap
    /// threshold (128 KB, growing with use) by mapping fresh pages and unmaps them on free, so every convolution's
    /// output would cost page faults: a ResNet-50 forward at batch 8 took 1.35x as long. Raising the threshold to its
    /// 32 MB maximum and the trim threshold to 512 MB lets freed blocks be reused at the memory's current peak. Skipped
    /// where the process was started with <c>MALLOC_MMAP_THRESHOLD_</c> or <c>MALLOC_TRIM_THRESHOLD_</c> of its own.
    /// </summary>
    public static void KeepFreedBlocks()
    {
        if (Interlocked.Exchange(ref s_keeping, 1) == 1 || !OperatingSystem.IsLinux()) return;
        if (Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null
            || Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null) return;
        Call(() => MallocOption(MmapThresholdOption, MmapThreshold));
        Call(() => MallocOption(TrimThresholdOption, TrimThreshold));
    }

    /// <summary>
    /// Caps the heap's arenas at <paramref name="arenas"/> (glibc's default is eight per core). glibc gives each thread
    /// that allocates while others do an arena of its own, and each arena keeps what was freed in it: a server whose
    /// requests decode, explain and draw on many threads grew by an arena's worth per thread (3.9 GB after 240
    /// four-map requests, against 2.0 GB with two arenas). Call it before the threads start; skipped where the process
    /// was started with <c>MALLOC_ARENA_MAX</c>.
    /// </summary>
    public static void LimitArenas(int arenas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arenas, 1);
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null) return;
        Call(() => MallocOption(ArenaMaxOption, arenas));
    }

    /// <summary>
    /// Gives the pages of freed blocks back to the system (glibc's <c>malloc_trim</c>): a server calls it when it falls
    /// idle, so that its resident memory returns to what it holds rather than its busiest moment's peak.
    /// </summary>
    public static void ReleaseFreedMemory()
    {
        if (OperatingSystem.IsLinux()) Call(() => MallocTrim(0));
    }

    private static void Call(Func<int> function)
    {
        try
        {
            _ = function();
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: its allocator has its own policy.
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallocOption(int option, int value);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
