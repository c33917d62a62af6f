using System.Globalization;

namespace GradCamSharp.TestSupport;

/// <summary>
/// This process's resident memory and its peak, from /proc (Linux): a test resets the peak, runs a command in-process,
/// and reads how high memory went (tests run one at a time, so nothing else shares the peak).
/// </summary>
public static class PeakMemory
{
    /// <summary>Whether the figures can be read here.</summary>
    public static bool Available => File.Exists("/proc/self/status") && File.Exists("/proc/self/clear_refs");

    /// <summary>Resident memory now, bytes.</summary>
    public static long ResidentBytes => Read("VmRSS:");

    /// <summary>The highest resident memory since the last <see cref="Reset"/>, bytes.</summary>
    public static long PeakBytes => Read("VmHWM:");

    /// <summary>Starts the peak again from the current resident memory (Linux 4.0+).</summary>
    public static void Reset()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        File.WriteAllText("/proc/self/clear_refs", "5");
    }

    private static long Read(string field)
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
