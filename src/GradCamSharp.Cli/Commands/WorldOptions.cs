using System.CommandLine;
using GradCamSharp.Scenes;

namespace GradCamSharp.Cli.Commands;

/// <summary>The options of every command that draws scenes: which world, and the photos the photo world uses.</summary>
internal sealed class WorldOptions
{
    public Option<string> World { get; } = new("--world")
    {
        Description = $"Which world: {string.Join(", ", SceneWorlds.Names)}",
        DefaultValueFactory = _ => SceneWorlds.Shapes,
    };

    public Option<string> Boxes { get; } = new("--boxes")
    {
        Description = "The annotated photos the photo world cuts its objects from",
        DefaultValueFactory = _ => "samples/boxes.json",
    };

    public Option<string> Images { get; } = new("--images")
    {
        Description = "The folder of the photos named in --boxes",
        DefaultValueFactory = _ => "samples",
    };

    public void AddTo(Command command)
    {
        command.Add(World);
        command.Add(Boxes);
        command.Add(Images);
    }
}
