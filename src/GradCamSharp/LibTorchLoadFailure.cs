namespace GradCamSharp;

/// <summary>
/// Recognises TorchSharp's failure to load its native library and says what usually causes it. TorchSharp 0.107's
/// own message ("... doesn't contain a reference to libtorch-cpu-linux-x64") blames the package, while on Debian 12
/// and Ubuntu 22.04 the cause is that libLibTorchSharp.so asks for GLIBCXX_3.4.32, which their libstdc++ lacks.
/// </summary>
public static class LibTorchLoadFailure
{
    /// <summary>The fix, as the README's platform notes describe it.</summary>
    public const string Fix =
        "LibTorch could not be loaded. On Debian 12 / Ubuntu 22.04 libLibTorchSharp.so asks for GLIBCXX_3.4.32, " +
        "which the system's libstdc++ lacks: build through GradCamSharp's projects or package " +
        "(build/LibTorchSharpGlibcxx.targets marks that reference weak in the output folder), or <Import> that file " +
        "into your own project; a project also needs a native LibTorch package (libtorch-cpu-linux-x64). See the " +
        "README, 'Platform notes'.";

    /// <summary>
    /// Whether <paramref name="exception"/> (or an inner one) is TorchSharp failing to load LibTorch.
    /// </summary>
    public static bool Matches(Exception? exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            string message = e.Message;
            if (message.Contains("doesn't contain a reference to libtorch", StringComparison.OrdinalIgnoreCase)
                || (e is DllNotFoundException && message.Contains("LibTorchSharp", StringComparison.Ordinal))
                || message.Contains("GLIBCXX_", StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
