namespace GradCamSharp.Cli.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CliCollection
{
    public const string Name = "gradcam CLI";
}
