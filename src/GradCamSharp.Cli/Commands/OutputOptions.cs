using System.CommandLine;
using System.Text.Json;
using GradCamSharp.Imaging;
using GradCamSharp.Pipeline;
using GradCamSharp.Pipeline.Datasets;

namespace GradCamSharp.Cli.Commands;

/// <summary>
/// The options every map-writing command shares beside <c>explain</c> (<c>caption</c>, <c>vqa</c>, <c>read</c>):
/// colormap, output folder, the manifest on standard output, and quiet; and how such a command finishes.
/// </summary>
internal sealed class OutputOptions
{
    public Option<string> Colormap { get; } = new("--colormap")
    {
        Description = $"Heatmap colours: {string.Join(", ", KnownColormaps.Names)}",
        DefaultValueFactory = _ => KnownColormaps.Default,
    };

    public Option<string> Output { get; } = new("--out", "-o")
    {
        Description = "Output folder for the PNGs and explanations.json",
        DefaultValueFactory = _ => "gradcam-out",
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Also print the manifest to standard output" };

    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "No progress lines on standard error" };

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Colormap, Output, Json, Quiet }) command.Add(option);
    }

    /// <summary>
    /// The job such a command runs: <paramref name="images"/> (a folder stands for every photo in it, recursively,
    /// the output folder left out) into the output folder, decoded and overwritten as <paramref name="photos"/> say,
    /// with the methods (or <paramref name="defaultMethod"/>) and colormap asked; the layer is the command's to set
    /// (<see cref="LayerOptions"/> where several fuse).
    /// </summary>
    /// <exception cref="UnreadableInputException">A folder that cannot be listed or holds no photos.</exception>
    public ExplainJob Job(ParseResult result, IReadOnlyList<string> images, PhotoOptions photos,
        Option<string[]> method, string defaultMethod) => new()
    {
        Images = [.. images.SelectMany(path => Directory.Exists(path)
            ? Dataset.FromFolder(path, exclude: result.GetValue(Output)).Photos.Select(photo => photo.Path)
            : [path])],
        OutputDirectory = result.GetValue(Output)!,
        Decoding = photos.Decoding(result),
        Overwrite = result.GetValue(photos.Overwrite),
        Settings = new ExplanationSettings
        {
            Methods = result.GetValue(method) is { Length: > 0 } methods ? methods : [defaultMethod],
            Colormap = result.GetValue(Colormap)!,
        },
    };

    /// <summary>Says what was written (unless quiet) and prints the manifest when asked; the exit code.</summary>
    public static int Finish(TextWriter output, TextWriter error, IReadOnlyList<ManifestEntry> entries,
        string outputDirectory, bool json, bool quiet)
    {
        if (!quiet)
            error.WriteLine($"gradcam: wrote {entries.Count} map(s) and {ExplainPipeline.ManifestName} to " +
                $"{outputDirectory}");
        if (json) output.WriteLine(JsonSerializer.Serialize(entries, CliJson.Indented));
        return ExitCodes.Success;
    }
}
