using System.Text.Json.Serialization;
using GradCamSharp.Models;

namespace GradCamSharp.Pipeline;

/// <summary>
/// A token layer's grid in the manifest, e.g. <c>"tokens": {"grid": [14, 14], "skipped": 1}</c>: the patch tokens'
/// rows and columns, and how many leading tokens (class, distillation, registers) were left out.
/// </summary>
public sealed record ManifestTokens
{
    /// <summary>An empty grid, for the reader.</summary>
    [JsonConstructor]
    public ManifestTokens() => Grid = [];

    /// <summary>The grid of <paramref name="grid"/>.</summary>
    public ManifestTokens(TokenGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        Grid = [grid.Height, grid.Width];
        Skipped = grid.Skipped;
    }

    /// <summary>[rows, columns] of the patch tokens.</summary>
    [JsonPropertyName("grid")] public int[] Grid { get; init; }

    /// <summary>The leading tokens left out.</summary>
    [JsonPropertyName("skipped")] public int Skipped { get; init; }
}
