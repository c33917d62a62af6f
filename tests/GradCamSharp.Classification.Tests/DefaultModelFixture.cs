using GradCamSharp.Catalog;

namespace GradCamSharp.Classification.Tests;

/// <summary>The embedded default model, loaded once for a test class.</summary>
public sealed class DefaultModelFixture : IDisposable
{
    public LoadedModel Model { get; } = DefaultModel.Load();

    public void Dispose() => Model.Dispose();
}
