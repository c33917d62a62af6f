namespace GradCamSharp.Models;

/// <summary>A target layer name that the model does not have; the message lists the closest valid names.</summary>
public sealed class UnknownLayerException : UsageException
{
    /// <summary>
    /// Creates the exception for <paramref name="requested"/>, suggesting <paramref name="suggestions"/>.
    /// </summary>
    public UnknownLayerException(string requested, IReadOnlyList<string> suggestions)
        : base(suggestions.Count == 0
            ? $"unknown layer '{requested}': the model has no named layers"
            : $"unknown layer '{requested}'; closest valid names: {string.Join(", ", suggestions)} (all of them: " +
                "the model's LayerNames, or ModelLayers.Describe with shapes; 'gradcam layers' on the command line)")
    {
        Requested = requested;
        Suggestions = suggestions;
    }

    /// <summary>The name that was asked for.</summary>
    public string Requested { get; }

    /// <summary>The valid names closest to <see cref="Requested"/>.</summary>
    public IReadOnlyList<string> Suggestions { get; }
}
