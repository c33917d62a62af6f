namespace GradCamSharp.Methods;

/// <summary>How far a perturbation method has got with one map.</summary>
/// <param name="Method">The method's name.</param>
/// <param name="Done">Perturbed inputs scored so far.</param>
/// <param name="Total">Perturbed inputs the map needs.</param>
public readonly record struct MethodProgress(string Method, long Done, long Total);
