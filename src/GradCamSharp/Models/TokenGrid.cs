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
    /// <param name="tokens">The layer's output.</param>
    /// <param name="input">The model's input.</param>
    /// <param name="layer">The layer's name, for messages.</param>
    /// <param name="given">The grid the caller gave (<see cref="Methods.CamOptions.Tokens"/>), checked against the
    /// tokens; null infers it.</param>
    /// <exception cref="UsageException">The tokens do not tile the input, or do not fit the given grid.</exception>
    public static TokenGrid Of(Tensor tokens, Tensor input, string layer, TokenGrid? given = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(input);
        string shape = $"layer '{layer}' has shape [{string.Join(", ", tokens.shape)}]";
        if (given is not null)
        {
            return (long)given.Height * given.Width + given.Skipped == tokens.shape[1] ? given
                : throw new UsageException($"{shape}: its {tokens.shape[1]} tokens are not the {given.Height}x" +
                    $"{given.Width} grid given (--token-grid) behind {given.Skipped} leading tokens (--skip-tokens)");
        }
        return Infer(tokens.shape[1], input.shape[^2], input.shape[^1]) ?? throw new UsageException(
            $"{shape}: its {tokens.shape[1]} tokens are no grid of square patches tiling the {input.shape[^2]}x" +
            $"{input.shape[^1]} input after at most {MostSkipped} leading tokens; give the layout (--token-grid " +
            "HxW and --skip-tokens K; CamOptions.Tokens in the library), or a layer that is an [N, C, H, W] map");
    }

    /// <summary>
    /// The layout <c>--token-grid HxW</c> and <c>--skip-tokens K</c> give, or null when neither is given.
    /// </summary>
    /// <exception cref="UsageException">A malformed grid, a negative count, or a count without a grid.</exception>
    public static TokenGrid? Parse(string? grid, int? skipped)
    {
        if (grid is null)
        {
            return skipped is null ? null
                : throw new UsageException("--skip-tokens needs --token-grid HxW (the grid of patch tokens)");
        }
        string[] parts = grid.ToLowerInvariant().Split('x');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int height) || !int.TryParse(parts[1], out int width)
            || height < 1 || width < 1)
        {
            throw new UsageException(
                $"--token-grid must be HxW with positive H and W (for example 14x14), got '{grid}'");
        }
        if (skipped < 0) throw new UsageException($"--skip-tokens must be 0 or more, got {skipped}");
        return new TokenGrid(height, width, skipped ?? 0);
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
