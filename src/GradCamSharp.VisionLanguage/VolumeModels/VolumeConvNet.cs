using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage.VolumeModels;

/// <summary>
/// A small 3-D CNN for the <see cref="Scenes.VolumeWorld"/>: four 3x3x3 convolutions with ReLUs (8, 16, 32 and 32
/// channels; 2x2x2 max pooling after the first two, so the last map is 8x8x8 for a 32-voxel cube), global max pooling
/// and a linear head, one logit per kind of solid. Max pooling, as <c>SceneConvNet</c> does, because a solid covers a
/// few cells of the map.
/// </summary>
internal sealed class VolumeConvNet : Module<Tensor, Tensor>
{
    /// <summary>The channels of the four convolutions.</summary>
    public static readonly int[] Channels = [8, 16, 32, 32];

    /// <summary>After which convolutions (1-based) a 2x2x2 max pooling halves the volume.</summary>
    public static readonly int[] PooledAfter = [1, 2];

    private readonly TorchSharp.Modules.ModuleList<Module<Tensor, Tensor>> convolutions = new();
    private readonly TorchSharp.Modules.Linear head;

    /// <summary>A freshly initialised model (seed it with <c>torch.random.manual_seed</c> first).</summary>
    public VolumeConvNet(int classes) : base(nameof(VolumeConvNet))
    {
        for (int i = 0; i < Channels.Length; i++)
            convolutions.Add(Conv3d(i == 0 ? 1 : Channels[i - 1], Channels[i], 3, padding: 1));
        head = Linear(Channels[^1], classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        Tensor x = input;
        for (int i = 0; i < convolutions.Count; i++)
        {
            x = functional.relu(convolutions[i].call(x));
            if (PooledAfter.Contains(i + 1)) x = functional.max_pool3d(x, [2, 2, 2], [2, 2, 2]);
        }
        return head.call(x.amax([2, 3, 4]));
    }
}
