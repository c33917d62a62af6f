namespace GradCamSharp.Models;

/// <summary>Optional: a model that can say what produces each layer (module type, operator).</summary>
public interface ILayerKinds
{
    /// <summary>The kind of the layer called <paramref name="name"/>.</summary>
    string KindOf(string name);
}
