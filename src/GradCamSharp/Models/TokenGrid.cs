using static TorchSharp.torch;

namespace GradCamSharp.Models;

/// <summary>
/// How a transformer's token layer, <c>[N, T, C]</c> with <c>T = Height * Width + Skipped</c>, is a feature map: the
/// leading <see cref="Skipped"/> tokens (a class token, a distillation or register tokens) are left out and the others
/// fold row by row into a <c>[N, C, Height, Width]</c> grid. What pytorch-grad-cam's users write by hand as a
/// reshape transform, inferred here from the input's size.
/// </summary>
/// <param name="Height">The grid's rows.</param>
/// <param name="Width">The grid's columns.</param>
/// <param name="Skipped">The leading tokens that are not patches.</param>
public sealed record TokenGrid(int Height, int Width, int Skipped)
{
    /// <summary>The most leading tokens that are taken for non-patch tokens (class, distillation, registers).</summary>
    public const int MostSkipped = 8;

    /// <summary>The patch sizes tried: a patch embedding's stride, from 2 to 64 pixels.</summary>
    private const int SmallestPatch = 2, LargestPatch = 64;

    /// <summary>
    /// The grid of <paramref name="tokens"/> tokens for an input of <paramref name="inputHeight"/> x
    /// <paramref name="inputWidth"/> pixels: square patches of one stride that tile the input, after as few leading
    /// tokens as possible; null when none fits.
    /// </summary>
    public static TokenGrid? Infer(long tokens, long inputHeight, long inputWidth)
    {
        for (int skipped = 0; skipped <= MostSkipped && skipped < tokens; skipped++)
        {
            for (int patch = SmallestPatch; patch <= LargestPatch; patch++)
            {
                if (inputHeight % patch != 0 || inputWidth % patch != 0) continue;
                long rows = inputHeight / patch, columns = inputWidth / patch;
                if (rows * columns == tokens - skipped) return new TokenGrid((int)rows, (int)columns, skipped);
            }
        }
        return null;
    }

    /// <summary>
    /// The grid of a token layer's output <paramref name="tokens"/> ([N, T, C]) for <paramref name="input"/> ([N, C,
    /// H, W]).
    /// </summary>
    /// <exception cref="UsageException">The tokens do not tile the input.</exception>
    public static TokenGrid Of(Tensor tokens, Tensor input, string layer)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(input);
        return Infer(tokens.shape[1], input.shape[^2], input.shape[^1]) ?? throw new UsageException(
            $"layer '{layer}' has shape [{string.Join(", ", tokens.shape)}]: its {tokens.shape[1]} tokens are no " +
            $"grid of square patches tiling the {input.shape[^2]}x{input.shape[^1]} input after at most " +
            $"{MostSkipped} leading tokens; CAM methods need an [N, C, H, W] map or [N, tokens, C] patch tokens");
    }

    /// <summary>[N, T, C] tokens as the [N, C, Height, Width] map of their patch tokens.</summary>
    public Tensor ToMap(Tensor tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return tokens[.., Skipped..].transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], Height, Width);
    }

    /// <summary>
    /// The [N, T, C] tokens of <paramref name="map"/> ([N, C, Height, Width]) behind the skipped tokens of
    /// <paramref name="original"/>, which pass on unchanged.
    /// </summary>
    public Tensor ToTokens(Tensor map, Tensor original)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(original);
        Tensor patches = map.flatten(2).transpose(1, 2);
        return Skipped == 0 ? patches.contiguous() : cat([original[.., ..Skipped], patches], 1);
    }
}
