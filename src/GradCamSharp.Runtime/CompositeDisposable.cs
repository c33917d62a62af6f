namespace GradCamSharp.Runtime;

/// <summary>Disposes several resources in order as one.</summary>
internal sealed class CompositeDisposable(params IDisposable[] items) : IDisposable
{
    public void Dispose()
    {
        foreach (IDisposable item in items) item.Dispose();
    }
}
