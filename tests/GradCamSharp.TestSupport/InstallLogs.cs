namespace GradCamSharp.TestSupport;

/// <summary>
/// Why a package the tests need is missing: ./run-tests keeps apt's output in .build/install-PACKAGE.log when an
/// install fails, and a test that skips quotes it.
/// </summary>
public static class InstallLogs
{
    /// <summary>The log ./run-tests writes for <paramref name="package"/>.</summary>
    public static string PathOf(string package) =>
        Path.Combine(SharedFixtures.RepositoryRoot, ".build", $"install-{package}.log");

    /// <summary>
    /// A skip message: <paramref name="what"/> is missing, and why (the log's last line), or how to install it.
    /// </summary>
    public static string SkipReason(string package, string what, string? logPath = null)
    {
        logPath ??= PathOf(package);
        string? said = File.Exists(logPath)
            ? File.ReadLines(logPath).LastOrDefault(line => !string.IsNullOrWhiteSpace(line))?.Trim()
            : null;
        return said is null
            ? $"{what} not found: install the Debian package {package} (./run-tests does)"
            : $"{what} not found: ./run-tests could not install {package}: apt said \"{said}\" (full output in " +
                $"{logPath})";
    }
}
