using System.Reflection;
using System.Xml.Linq;

namespace GradCamSharp.Cli.Tests;

/// <summary>
/// The shape of the house: every project sits on a layer and references only layers below it (the vertical
/// features, one layer, know nothing of each other), and the public surface stays small.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>The layers, bottom up; docs/architecture.md draws the same graph.</summary>
    private static readonly Dictionary<string, int> Layers = new()
    {
        ["GradCamSharp"] = 0,
        ["GradCamSharp.Imaging"] = 1, ["GradCamSharp.Evaluation"] = 1, ["GradCamSharp.Onnx"] = 1,
        ["GradCamSharp.TorchVision"] = 1,
        ["GradCamSharp.Scenes"] = 2, ["GradCamSharp.OnnxRuntime"] = 2,
        ["GradCamSharp.Catalog"] = 3,
        ["GradCamSharp.Pipeline"] = 4,
        ["GradCamSharp.Classification"] = 5, ["GradCamSharp.VisionLanguage"] = 5, ["GradCamSharp.Ocr"] = 5,
        ["GradCamSharp.Benchmarks"] = 5,
        ["GradCamSharp.Web"] = 6,
        ["GradCamSharp.Cli"] = 7,
    };

    /// <summary>
    /// The most public types all the projects may export together: 306 before the command line's and the web server's
    /// plumbing and the models' inner parts became internal, 231 after (the library's surface and the records of its
    /// files and reports), 233 with transformers' token grids (in the library and in the manifest), 245 with datasets
    /// (the dataset and its photos, shards, the streaming run, its counts and failures, merging, a photo's output, a
    /// pipeline's per-photo task, JSON Lines files, and an evaluation's streamed records), 266 with the reference
    /// library's newer methods and metrics (a class per method, as the registry asks: FullGrad and its decomposition,
    /// KPCA-CAM and its kernel, FEM, ShapleyCAM, Finer-CAM, Seg-Eigen-CAM, RefineCAM, RandomCAM; a layer's bias;
    /// ROAD, its imputation and curves; ARCC; Deep Feature Factorization, its NMF, results and pictures), 271 with the
    /// paper's failure modes and dense captioning (the failure counts and a miss's picture in evaluation.json; a phrase
    /// with its box, and one explained and all explained, as the caption's own results are), 275 with the attention
    /// methods of transformers (rollout, relevance, their base, and the flow matrices they share), 276 with the
    /// segmentation target, 280 with the scene classifiers trained here (their recipe and trainer) and the ONNX
    /// writer that turns TorchSharp models into ONNX files (the writer and a node's setting), 289 with volumes (a
    /// volume map, the volume world with its solids and volumes, the volume model's recipe and trainer, NIfTI files,
    /// a volume as input, and the volume pipeline), 294 with detection (a detection and its target, the detection
    /// pipeline, its options and its manifest fields), 295 with a photo's explained detections (what the command
    /// writes and the web demo serves), 298 with detectors that list their detections, as torchvision's (the box
    /// list, its target, and the exported outputs that make one).
    /// </summary>
    private const int MostPublicTypes = 298;

    [Fact]
    public void EveryProject_HasALayer_AndReferencesOnlyLayersBelowIt()
    {
        string source = Path.Combine(SharedFixtures.RepositoryRoot, "src");
        string[] projects = [.. Directory.GetDirectories(source).Select(Path.GetFileName).OfType<string>()
            .Where(name => File.Exists(Path.Combine(source, name, name + ".csproj")))];
        Assert.Equal(Layers.Keys.Order(), projects.Order());
        foreach (string project in projects)
        {
            XDocument file = XDocument.Load(Path.Combine(source, project, project + ".csproj"));
            foreach (string reference in file.Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension((string)r.Attribute("Include")!)))
            {
                Assert.True(Layers[reference] < Layers[project],
                    $"{project} (layer {Layers[project]}) references {reference} (layer {Layers[reference]})");
            }
        }
    }

    [Fact]
    public void ThePublicSurface_StaysSmall_AndTheCommandLineExportsNothing()
    {
        Assembly[] assemblies = [.. Layers.Keys.Select(name => name == "GradCamSharp.Cli"
            ? typeof(GradCamCli).Assembly : Assembly.Load(name))];
        Type[] exported = [.. assemblies.SelectMany(a => a.GetExportedTypes())];

        // Top-level statements make a public Program; nothing else of the command line is for other code.
        Assert.Equal(["Program"], typeof(GradCamCli).Assembly.GetExportedTypes().Select(t => t.Name));
        Assert.True(exported.Length <= MostPublicTypes, $"{exported.Length} public types: " +
            string.Join(", ", exported.GroupBy(t => t.Assembly.GetName().Name)
                .Select(g => $"{g.Key} {g.Count()}")));
    }
}
