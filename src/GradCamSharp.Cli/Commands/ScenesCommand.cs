using System.CommandLine;
using System.Text.Json;
using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Pipeline;
using GradCamSharp.Scenes;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam scenes</c>: writes seeded scenes with exact ground truth.</summary>
internal static class ScenesCommand
{
    /// <summary>The parsed arguments of <c>scenes</c>.</summary>
    /// <param name="World">"shapes" or "photos".</param>
    /// <param name="Count">How many scenes.</param>
    /// <param name="Seed">The seed; scene i of a seed is always the same.</param>
    /// <param name="Output">The output folder.</param>
    /// <param name="Boxes">The annotated photos the photo world cuts objects from.</param>
    /// <param name="Images">The folder of those photos.</param>
    /// <param name="Overwrite">Write into a folder holding files gradcam did not write.</param>
    public sealed record Arguments(string World, int Count, int Seed, string Output, string Boxes, string Images,
        bool Overwrite = false);

    internal static Command Create()
    {
        var worlds = new WorldOptions();
        var count = new Option<int>("--count", "-n") { Description = "How many scenes", DefaultValueFactory = _ => 10 };
        var seed = new Option<int>("--seed") { Description = "The seed", DefaultValueFactory = _ => 1 };
        var output =
            new Option<string>("--out", "-o") { Description = "Output folder", DefaultValueFactory = _ => "scenes" };
        const string summary = "Write seeded scenes with exact masks, boxes, captions and questions";
        var command = CommandHelp.Create("scenes", summary, """
            Generate scenes whose ground truth is known exactly and write them to a folder: scene_NNNNN.png, one mask
            per object (white where the object is visible) and scenes.json listing each scene's objects (label,
            colour, box [x0, y0, x1, y1] in pixels, mask file), captions and question/answer pairs. The shape world
            draws shapes of several colours and sizes on plain, noisy and textured backgrounds; the photo world
            pastes objects cut out of the annotated photos onto regions of other photos that hold no object. Scene i
            of a seed is always the same. --world volumes writes the volume world's 32-voxel volumes instead (spheres
            and cubes in noise): volume_NNNNN.npy to explain with volumes-cnn, volume_NNNNN_labels.npy (0 background,
            1 sphere, 2 cube, per voxel) and volumes.json listing each volume's solids (kind, centre [x, y, z],
            radius).

            Examples:
              gradcam scenes --world shapes --count 20 --seed 7 --out shapes/
              gradcam scenes --world photos --count 50 --out composites/
              gradcam scenes --world volumes --count 5 --seed 7 --out volumes/
            """);
        worlds.AddTo(command);
        var photos = new PhotoOptions();
        foreach (Option option in new Option[] { count, seed, output }) command.Add(option);
        photos.AddTo(command, decoding: false);
        command.SetAction((result, cancellationToken) => Task.FromResult(Run(result.InvocationConfiguration.Error,
            new Arguments(result.GetValue(worlds.World)!,
            result.GetValue(count), result.GetValue(seed), result.GetValue(output)!, result.GetValue(worlds.Boxes)!,
            result.GetValue(worlds.Images)!, result.GetValue(photos.Overwrite)), cancellationToken)));
        return command;
    }

    /// <summary>Runs <c>scenes</c>; returns the exit code.</summary>
    public static int Run(TextWriter error, Arguments arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Count < 1) throw new UsageException($"--count must be at least 1, got {arguments.Count}");
        if (arguments.World == Volumes) return RunVolumes(error, arguments, cancellationToken);
        using ISceneWorld world = SceneWorlds.Create(arguments.World, arguments.Boxes, arguments.Images);
        using StagedOutput output = StagedOutput.Begin(arguments.Output, arguments.Overwrite);
        var records = new List<SceneRecord>();
        for (int i = 0; i < arguments.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using Scene scene = world.Generate(arguments.Seed, i);
            records.Add(SceneWriter.Write(scene, output.Add, world.Name, arguments.Seed));
            if ((i + 1) % 50 == 0 || i + 1 == arguments.Count)
                error.WriteLine($"gradcam: {i + 1}/{arguments.Count} scenes");
        }
        SceneWriter.WriteIndex(records, output.Add(SceneWriter.IndexName));
        output.Publish();
        error.WriteLine($"gradcam: wrote {records.Count} {world.Name} scenes and {SceneWriter.IndexName} to " +
            $"{arguments.Output}");
        return ExitCodes.Success;
    }

    /// <summary>The volume world's name on the command line (it draws volumes, not scenes of a picture).</summary>
    public const string Volumes = "volumes";

    private static int RunVolumes(TextWriter error, Arguments arguments, CancellationToken cancellationToken)
    {
        using StagedOutput output = StagedOutput.Begin(arguments.Output, arguments.Overwrite);
        var records = new List<object>();
        const int size = VolumeWorld.Size;
        for (int i = 0; i < arguments.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            VolumeScene volume = VolumeWorld.Generate(arguments.Seed, i);
            string name = $"volume_{i:D5}";
            NpyFile.Save(new VolumeMap(size, size, size, volume.Voxels), output.Add(name + ".npy"));
            NpyFile.Save(new VolumeMap(size, size, size, [.. volume.Labels.Select(l => (float)l)]),
                output.Add(name + "_labels.npy"));
            records.Add(new
            {
                file = name + ".npy",
                labels = name + "_labels.npy",
                seed = arguments.Seed,
                index = i,
                objects = volume.Objects.Select(o =>
                    new { kind = o.Kind, centre = new[] { o.X, o.Y, o.Z }, radius = o.Radius }),
            });
        }
        File.WriteAllText(output.Add("volumes.json"), JsonSerializer.Serialize(records, ExplainPipeline.ManifestJson));
        output.Publish();
        error.WriteLine($"gradcam: wrote {arguments.Count} volumes and volumes.json to {arguments.Output}");
        return ExitCodes.Success;
    }
}
