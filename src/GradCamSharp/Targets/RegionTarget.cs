using static TorchSharp.torch;

namespace GradCamSharp.Targets;

/// <summary>
/// The sum of a dense output inside a region: for a text detector's [N, 1, H, W] probability map, how strongly it
/// finds text there (pytorch-grad-cam's semantic-segmentation target). Explaining it shows what made the model find
/// that region.
/// </summary>
/// <param name="x0">Left edge in output pixels (inclusive).</param>
/// <param name="y0">Top edge (inclusive).</param>
/// <param name="x1">Right edge (exclusive).</param>
/// <param name="y1">Bottom edge (exclusive).</param>
/// <param name="name">How the score is described.</param>
public sealed class RegionTarget(int x0, int y0, int x1, int y1, string name = "region") : ITarget
{
    /// <summary>The description used in manifests.</summary>
    public string Name => name;

    /// <inheritdoc />
    public IReadOnlyList<TargetScore> Scores(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.dim() != 4)
            throw new UsageException($"a region target needs an [N, C, H, W] output, got [{string.Join(", ",
                output.shape)}]");
        long height = output.shape[2], width = output.shape[3];
        int left = (int)Math.Clamp(x0, 0, width), right = (int)Math.Clamp(x1, 0, width);
        int top = (int)Math.Clamp(y0, 0, height), bottom = (int)Math.Clamp(y1, 0, height);
        if (right <= left || bottom <= top)
        {
            throw new UsageException($"the region {x0},{y0},{x1},{y1} lies outside the {width}x{height} output or is " +
                "empty");
        }
        Tensor inside = output.narrow(2, top, bottom - top).narrow(3, left, right - left);
        return [new TargetScore(inside.sum([1, 2, 3]), null, Name)];
    }
}
