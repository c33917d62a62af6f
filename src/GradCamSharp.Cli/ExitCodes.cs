namespace GradCamSharp.Cli;

/// <summary>The process exit codes of <c>gradcam</c> (also listed in <c>gradcam --help</c> and the README).</summary>
internal static class ExitCodes
{
    /// <summary>Everything asked for was done.</summary>
    public const int Success = 0;

    /// <summary>Verification found a disagreement, or an unexpected internal error occurred.</summary>
    public const int Failure = 1;

    /// <summary>
    /// The command line was wrong: unknown option, method, colormap, layer or class, class out of range.
    /// </summary>
    public const int Usage = 2;

    /// <summary>An input could not be read: a missing or corrupt image, an unreadable or unsupported model.</summary>
    public const int Input = 3;

    /// <summary>The output folder could not be created or written.</summary>
    public const int Output = 4;

    /// <summary>
    /// A dataset run (a folder or a list of photos) explained some photos but not all: the others are in
    /// failures.jsonl with their reasons.
    /// </summary>
    public const int SomeFailed = 5;

    /// <summary>Interrupted (Ctrl-C): the conventional 128 + SIGINT.</summary>
    public const int Cancelled = 130;

    /// <summary>The help text's description of the codes.</summary>
    public const string Help =
        "Exit codes: 0 success; 1 disagreement (verify) or internal error; 2 bad command line (option, method,\n" +
        "layer, class); 3 unreadable input (image, model); 4 output folder not writable; 5 some photos of a folder\n" +
        "or list failed (see failures.jsonl); 130 interrupted.\n" +
        "Set GRADCAM_DEBUG=1 to see the stack trace of an error.";
}
