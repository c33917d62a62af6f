using System.CommandLine;
using GradCamSharp.Onnx;
using GradCamSharp.TorchVision;
using TorchSharp;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam export</c>: a TorchVision ResNet (random weights or a checkpoint) as an ONNX model.</summary>
internal static class ExportCommand
{
    internal static Command Create()
    {
        string[] resNets = [.. TorchVisionModels.Names.Where(IsResNet).Order(StringComparer.Ordinal)];
        var architecture = new Option<string>("--arch")
        {
            Description = $"The architecture: {string.Join(", ", resNets)}",
            Required = true,
        };
        var checkpoint = new Option<string?>("--checkpoint")
        {
            Description = "A PyTorch state_dict (.pth) of that architecture (default: random weights, for timing)",
        };
        var classes = new Option<int>("--classes")
        {
            Description = "The classifier's width (that of the checkpoint)",
            DefaultValueFactory = _ => 1000,
        };
        var output = new Option<string>("--out", "-o") { Description = "The .onnx file to write", Required = true };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing file" };
        var command = CommandHelp.Create("export", "Write a TorchVision ResNet as an ONNX model", """
            Write a TorchVision ResNet as ONNX, as torch.onnx.export would: BatchNorm folded into the convolutions, a
            dynamic batch and image size, and PyTorch's node names, so that --layer layer4 or layer3.1 names the same
            value as in the module. ONNX models run through ONNX Runtime up to the explained layer and free every value
            after its last use (see 'gradcam bench'); without --checkpoint the weights are random, for timing.

            Examples:
              gradcam export --arch resnet50 --out resnet50.onnx
              gradcam export --arch resnet18 --checkpoint resnet18.pth --out resnet18.onnx
              gradcam bench --model resnet50.onnx --batch 8
            """);
        foreach (Option option in new Option[] { architecture, checkpoint, classes, output, overwrite })
            command.Add(option);
        command.SetAction(result => Run(result.InvocationConfiguration.Output, result.GetValue(architecture)!,
            result.GetValue(checkpoint), result.GetValue(classes), result.GetValue(output)!,
            result.GetValue(overwrite)));
        return command;
    }

    /// <summary>Runs <c>export</c>; returns the exit code.</summary>
    public static int Run(TextWriter output, string architecture, string? checkpoint, int classes, string file,
        bool overwrite)
    {
        if (!IsResNet(architecture) || !TorchVisionModels.Names.Contains(architecture,
            StringComparer.OrdinalIgnoreCase))
        {
            throw new UsageException($"the export covers the ResNets " +
                $"({string.Join(", ", TorchVisionModels.Names.Where(IsResNet))}), not '{architecture}'");
        }
        if (checkpoint is not null && !File.Exists(checkpoint))
            throw new UnreadableInputException($"checkpoint '{checkpoint}' not found");
        if (File.Exists(file) && !overwrite)
            throw new UsageException($"'{file}' exists; pass --overwrite to replace it");
        byte[] model;
        using (torch.nn.Module<torch.Tensor, torch.Tensor> module =
            TorchVisionModels.Create(architecture, checkpoint, classes))
        {
            model = ResNetExport.Export(module.state_dict(), architecture.ToLowerInvariant());
        }
        // Written beside the target and moved over it, so that an interrupted export leaves no half-written model.
        string partial = file + ".partial";
        File.WriteAllBytes(partial, model);
        File.Move(partial, file, overwrite: true);
        output.WriteLine($"wrote {file} ({model.Length / 1e6:0.0} MB, {architecture}" +
            $"{(checkpoint is null ? ", random weights" : "")})");
        return ExitCodes.Success;
    }

    private static bool IsResNet(string name) => name.StartsWith("resnet", StringComparison.OrdinalIgnoreCase);
}
