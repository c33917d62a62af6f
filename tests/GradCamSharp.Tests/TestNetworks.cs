using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.Tests;

/// <summary>Small networks with known structure for closed-form and lifecycle tests.</summary>
internal static class TestNetworks
{
    /// <summary>features (conv, relu, conv, relu) -> global average pool -> linear: the CAM architecture.</summary>
    public static Module<Tensor, Tensor> GapLinear(int classes = 5, long seed = 7,
        ScalarType dtype = ScalarType.Float32)
    {
        manual_seed(seed);
        var model = Sequential(
            ("features", Sequential(
                ("conv1", Conv2d(3, 8, 3, padding: 1)), ("relu1", ReLU()),
                ("conv2", Conv2d(8, 16, 3, padding: 1, stride: 2)), ("relu2", ReLU()))),
            ("pool", AdaptiveAvgPool2d(1)),
            ("flatten", Flatten()),
            ("fc", Linear(16, classes)));
        model.to(dtype);
        model.eval();
        return model;
    }

    /// <summary>features -> a non-linear head (1x1 conv, tanh, pool, linear): for finite-difference checks.</summary>
    public static Module<Tensor, Tensor> NonLinearHead(long seed = 11)
    {
        manual_seed(seed);
        var model = Sequential(
            ("features", Sequential(("conv", Conv2d(3, 6, 3, padding: 1)), ("relu", ReLU()))),
            ("head", Sequential(
                ("mix", Conv2d(6, 4, 1)), ("tanh", Tanh()),
                ("pool", AdaptiveAvgPool2d(1)), ("flatten", Flatten()), ("fc", Linear(4, 3)))));
        model.to(ScalarType.Float64);
        model.eval();
        return model;
    }
}
