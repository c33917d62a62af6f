using static TorchSharp.torch;

namespace GradCamSharp.Targets;

/// <summary>
/// A semantic segmenter's score for one class over some pixels: the sum of <c>output[:, class, y, x]</c> over a mask
/// of its [N, classes, H, W] output (pytorch-grad-cam's <c>SemanticSegmentationTarget</c>). Explaining it shows what
/// made the model mark those pixels as that class. Without a mask, the pixels the model itself assigns to the class
/// (its arg-max), which is also what <see cref="ClassTarget"/> and <see cref="TopClassesTarget"/> mean on such an
/// output.
/// </summary>
public sealed class SegmentationTarget : ITarget
{
    private readonly bool[]? _mask;
    private readonly int _width, _height;

    /// <summary>Class <paramref name="classIndex"/> over the pixels the model assigns to it.</summary>
    /// <exception cref="UsageException">A negative class.</exception>
    public SegmentationTarget(int classIndex) => ClassIndex = Checked(classIndex);

    /// <summary>Class <paramref name="classIndex"/> over the box x0..x1, y0..y1 of the output's pixels (right and
    /// bottom edges exclusive).</summary>
    /// <exception cref="UsageException">A negative class or an empty box.</exception>
    public SegmentationTarget(int classIndex, int x0, int y0, int x1, int y1)
    {
        ClassIndex = Checked(classIndex);
        if (x1 <= x0 || y1 <= y0 || x0 < 0 || y0 < 0)
        {
            throw new UsageException(
                $"a box is x0,y0,x1,y1 with 0 <= x0 < x1 and 0 <= y0 < y1, got {x0},{y0},{x1},{y1}");
        }
        (_width, _height) = (x1, y1);
        _mask = new bool[x1 * y1];
        for (int y = y0; y < y1; y++)
            Array.Fill(_mask, true, y * x1 + x0, x1 - x0);
        Box = [x0, y0, x1, y1];
    }

    /// <summary>Class <paramref name="classIndex"/> over the pixels of <paramref name="mask"/>, row by row, of an
    /// output <paramref name="width"/> x <paramref name="height"/> pixels.</summary>
    /// <exception cref="UsageException">A negative class, a mask of another size, or an empty mask.</exception>
    public SegmentationTarget(int classIndex, bool[] mask, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ClassIndex = Checked(classIndex);
        if (width < 1 || height < 1 || mask.Length != width * height)
            throw new UsageException($"a {width}x{height} mask has {width * height} pixels, got {mask.Length}");
        if (!mask.Contains(true)) throw new UsageException("the mask holds no pixel");
        (_mask, _width, _height) = ((bool[])mask.Clone(), width, height);
    }

    /// <summary>The class, an index into the output's dimension 1.</summary>
    public int ClassIndex { get; }

    /// <summary>The box, where one was given: x0, y0, x1, y1.</summary>
    public IReadOnlyList<int>? Box { get; }

    /// <inheritdoc />
    public IReadOnlyList<TargetScore> Scores(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!IsDense(output))
        {
            throw new UsageException("a segmentation target needs an [N, classes, H, W] output of 2 or more classes, " +
                $"got [{string.Join(", ", output.shape)}]");
        }
        long classes = output.shape[1], height = output.shape[2], width = output.shape[3];
        if (ClassIndex >= classes)
            throw new UsageException($"class {ClassIndex} is out of range: the model has {classes} classes");
        Tensor mask;
        if (_mask is null)
        {
            mask = OwnPixels(output, ClassIndex);
        }
        else
        {
            if (_width > width || _height > height)
            {
                throw new UsageException($"the {(Box is null ? "mask" : "box")} reaches {_width}x{_height} pixels, " +
                    $"beyond the {width}x{height} output");
            }
            mask = zeros(height, width, output.dtype);
            mask[..(int)_height, ..(int)_width] = tensor(_mask).reshape(_height, _width).to(output.dtype);
        }
        int[] classIndices = Enumerable.Repeat(ClassIndex, (int)output.shape[0]).ToArray();
        string where = _mask is null ? "" : Box is { } box ? $" in {string.Join(",", box)}" : " in the mask";
        return [new TargetScore((output[.., ClassIndex] * mask).sum([1, 2]), classIndices,
            $"class {ClassIndex}{where}")];
    }

    /// <summary>Whether <paramref name="output"/> is a segmenter's: [N, classes, H, W], 2 or more classes and pixels.
    /// </summary>
    /// <param name="output">A model's output, batch first.</param>
    public static bool IsDense(Tensor output) =>
        output.dim() == 4 && output.shape[1] >= 2 && output.shape[2] * output.shape[3] > 1;

    /// <summary>[N, H, W]: 1 where the model assigns the pixel to <paramref name="classIndex"/>, no gradient.</summary>
    internal static Tensor OwnPixels(Tensor output, int classIndex) =>
        output.detach().argmax(1).eq(classIndex).to(output.dtype);

    private static int Checked(int classIndex) => classIndex >= 0 ? classIndex
        : throw new UsageException($"a class index is 0 or more, got {classIndex}");
}
