namespace GradCamSharp;

/// <summary>
/// An input that cannot be read or understood: a missing, corrupt or oversized image, a model file that cannot be
/// imported, a malformed boxes, descriptor or weights file. The command line reports it as unreadable input (exit
/// code 3).
/// </summary>
public class UnreadableInputException : IOException
{
    /// <summary>Creates the exception with a message that names the input and what is wrong with it.</summary>
    public UnreadableInputException(string message, Exception? inner = null) : base(message, inner) { }
}
