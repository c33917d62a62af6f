using System.CommandLine;
using GradCamSharp.Imaging;
using GradCamSharp.Catalog;

namespace GradCamSharp.Cli.Commands;

/// <summary>Options shared by every command that loads a model.</summary>
internal sealed class CommonOptions
{
    public Option<string> Model { get; } = new("--model", "-m")
    {
        Description = $"The model: {KnownModels.Accepted} (gradcam models lists them)",
        DefaultValueFactory = _ => KnownModels.Default,
    };

    public Option<string?> Architecture { get; } = new("--arch")
    {
        Description =
            "The TorchVision architecture of a .pth checkpoint (inferred from the file name when it contains one)",
    };

    public Option<string?> LabelsFile { get; } = new("--labels")
    {
        Description = "A label file: one class name a line, in output order",
    };

    public Option<string?> Preprocess { get; } = new("--preprocess")
    {
        Description =
            $"Input convention: a preset ({string.Join(", ", KnownPreprocessing.Names)}) or a .json descriptor",
    };

    public Option<bool> TorchSharpOnly { get; } = new("--no-onnxruntime")
    {
        Description = "Run ONNX models wholly in TorchSharp (by default ONNX Runtime runs what needs no gradient: " +
            "the layers before the explained one, and every pass of gradient-free methods)",
    };

    public void AddTo(Command command)
    {
        command.Add(Model);
        command.Add(Architecture);
        command.Add(LabelsFile);
        command.Add(Preprocess);
        command.Add(TorchSharpOnly);
    }

    public (string Spec, ModelLoadOptions Options) Read(ParseResult result) => (
        result.GetValue(Model) ?? KnownModels.Default,
        new ModelLoadOptions
        {
            Architecture = result.GetValue(Architecture),
            LabelsPath = result.GetValue(LabelsFile),
            Preprocess = result.GetValue(Preprocess),
            OnnxRuntime = !result.GetValue(TorchSharpOnly),
        });
}
