using System.Globalization;

namespace GradCamSharp.Benchmarks;

/// <summary>Resident memory of this process, from /proc (Linux); zeros elsewhere.</summary>
internal static class ProcessMemory
{
    /// <summary>
    /// Returns freed heap memory to the system, so that a call's peak above the resident size before it measures
    /// what the call itself needs rather than what earlier calls left cached.
    /// </summary>
    public static void ReleaseFreedMemory() => NativeHeap.ReleaseFreedMemory();

    /// <summary>Current resident set size, MB.</summary>
    public static double ResidentMegabytes => Read("VmRSS:");

    /// <summary>Peak resident set size since the last <see cref="ResetPeak"/>, MB.</summary>
    public static double PeakMegabytes => Read("VmHWM:");

    /// <summary>The highest resident size of this process so far, across <see cref="ResetPeak"/>s, MB.</summary>
    public static double LifetimePeakMegabytes => Math.Max(s_lifetimePeak, PeakMegabytes);

    private static double s_lifetimePeak;

    /// <summary>Resets the peak to the current size (writing 5 to clear_refs, Linux 4.0+).</summary>
    public static void ResetPeak()
    {
        s_lifetimePeak = LifetimePeakMegabytes;
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Without it the peak is the process's lifetime peak: still an upper bound.
        }
    }

    private static double Read(string key)
    {
        if (!File.Exists("/proc/self/status")) return 0;
        string? line =
            File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[key.Length..].Trim().Split(' ')[0],
            CultureInfo.InvariantCulture) / 1024.0;
    }

    /// <summary>The processor's model name.</summary>
    public static string Cpu()
    {
        if (!File.Exists("/proc/cpuinfo")) return "unknown CPU";
        string? name =
            File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return (name?.Split(':', 2)[1].Trim() ?? "unknown CPU") + $", {Environment.ProcessorCount} logical cores";
    }
}
