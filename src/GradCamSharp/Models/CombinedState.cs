namespace GradCamSharp.Models;

/// <summary>
/// The explanation states of two models run one after the other, restored in reverse order, as composite models
/// (a preprocessing chain, an encoder under a head) return from <see cref="IExplainableModel.BeginExplanation"/>.
/// </summary>
/// <param name="first">The state of the model that runs first.</param>
/// <param name="second">The state of the model that runs second; restored first.</param>
public sealed class CombinedState(IDisposable first, IDisposable second) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            second.Dispose();
        }
        finally
        {
            first.Dispose();
        }
    }
}
