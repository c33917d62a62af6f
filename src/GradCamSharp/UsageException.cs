namespace GradCamSharp;

/// <summary>
/// The caller asked for something that does not exist or is out of range: an unknown method, layer, class or
/// colormap, a value outside its bounds. Its message is written for the person who made the request; the command
/// line reports it as a bad command line (exit code 2). Programming errors stay plain <see cref="ArgumentException"/>s.
/// </summary>
public class UsageException : ArgumentException
{
    /// <summary>Creates the exception with a message for the user.</summary>
    public UsageException(string message, Exception? inner = null) : base(message, inner) { }
}
