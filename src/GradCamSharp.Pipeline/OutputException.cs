namespace GradCamSharp.Pipeline;

/// <summary>The output folder cannot be created or written.</summary>
public sealed class OutputException(string message, Exception? inner = null) : IOException(message, inner);
