namespace GradCamSharp.Cli.Tests;

public sealed class LayersCommandTests
{
    [Fact]
    public void Layers_ResNet18_ListsShapesAndMarksTheAutoLayer()
    {
        CliRun run = CliRun.Of("layers", "--model", "resnet18");
        Assert.Equal(0, run.ExitCode);
        string[] lines = run.Output.Split('\n');
        string auto = Assert.Single(lines, line => line.StartsWith('*'));
        Assert.Contains("layer4 ", auto);
        Assert.Contains("[1, 512, 7, 7]", auto);
        Assert.Contains(lines,
            line => line.Contains("layer1.0.conv1 ") && line.Contains("[1, 64, 56, 56]") && line.Contains("Conv2d"));
    }
}
