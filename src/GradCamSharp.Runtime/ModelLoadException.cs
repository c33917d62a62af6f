namespace GradCamSharp.Runtime;

/// <summary>A model that cannot be found, read or understood.</summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : IOException(message, inner);
