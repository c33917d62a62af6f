using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.TorchVision;

/// <summary>
/// TorchVision architectures by name, optionally with weights from a PyTorch checkpoint (<c>.pth</c>).
/// </summary>
public static class TorchVisionModels
{
    private static readonly Dictionary<string, Func<int, Module<Tensor, Tensor>>> Architectures =
        new(StringComparer.OrdinalIgnoreCase)
    {
        ["resnet18"] = classes => torchvision.models.resnet18(num_classes: classes),
        ["resnet34"] = classes => torchvision.models.resnet34(num_classes: classes),
        ["resnet50"] = classes => torchvision.models.resnet50(num_classes: classes),
        ["resnet101"] = classes => torchvision.models.resnet101(num_classes: classes),
        ["vgg16"] = classes => torchvision.models.vgg16(num_classes: classes),
        ["mobilenet_v2"] = classes => torchvision.models.mobilenet_v2(num_classes: classes),
    };

    /// <summary>The architecture names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyCollection<string> Names => Architectures.Keys;

    /// <summary>
    /// Builds <paramref name="architecture"/> in eval mode, with random weights unless <paramref name="checkpoint"/> is
    /// given.
    /// </summary>
    /// <param name="architecture">One of <see cref="Names"/>.</param>
    /// <param name="checkpoint">A PyTorch <c>state_dict</c> saved with <c>torch.save</c>, loaded through
    /// TorchSharp.PyBridge.</param>
    /// <param name="classes">The classifier's width.</param>
    /// <exception cref="UsageException">Unknown architecture.</exception>
    /// <exception cref="UnreadableInputException">A checkpoint that does not exist.</exception>
    public static Module<Tensor, Tensor> Create(string architecture, string? checkpoint = null, int classes = 1000)
    {
        if (!Architectures.TryGetValue(architecture, out Func<int, Module<Tensor, Tensor>>? create))
        {
            throw new UsageException(
                $"unknown TorchVision architecture '{architecture}'; known: {string.Join(", ", Names)}");
        }
        if (checkpoint is not null && !File.Exists(checkpoint))
            throw new UnreadableInputException($"the checkpoint '{checkpoint}' does not exist");
        Module<Tensor, Tensor> model = create(classes);
        if (checkpoint is not null) model.load_py(checkpoint);
        model.eval();
        return model;
    }
}
