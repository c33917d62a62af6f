using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// The machinery every gradient method shares: one forward pass, then one <c>autograd.grad</c> per score column,
/// taken only with respect to the tensor the method needs (never the weights). Subclasses say where to differentiate
/// (<see cref="RunForward"/>) and what a gradient means (<see cref="Interpret"/>).
/// </summary>
public abstract class GradientExplainer : IExplainer
{
    /// <summary>Explains <paramref name="model"/>.</summary>
    protected GradientExplainer(IExplainableModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
    }

    /// <summary>The model being explained.</summary>
    public IExplainableModel Model { get; }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public virtual IReadOnlyList<Explanation> Explain(Tensor input, IReadOnlyList<IReadOnlyList<ITarget>> targetsPerSample)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(targetsPerSample);
        if (input.dim() != 4)
            throw new ArgumentException($"expected an [N, C, H, W] input, got [{string.Join(", ", input.shape)}]", nameof(input));
        if (targetsPerSample.Count != input.shape[0])
            throw new ArgumentException($"{targetsPerSample.Count} target lists for a batch of {input.shape[0]}", nameof(targetsPerSample));

        using DisposeScope scope = NewDisposeScope();
        using IDisposable modelState = Model.BeginExplanation();
        using var gradients = enable_grad();
        ForwardResult forward = RunForward(input.detach(), scope);
        IReadOnlyList<ScoreColumn> columns = ScoreColumns.Build(forward.Output, targetsPerSample);

        var explanations = new List<(int Sample, int Column, Explanation Explanation)>();
        for (int j = 0; j < columns.Count; j++)
        {
            ScoreColumn column = columns[j];
            Tensor? gradient = autograd.grad([column.Total], [forward.DifferentiateWith],
                retain_graph: !column.IsLast, allow_unused: true)[0];
            if (gradient is null || gradient.IsInvalid) gradient = zeros_like(forward.DifferentiateWith);
            IReadOnlyList<Explanation> interpreted = Interpret(forward, gradient, column);
            for (int k = 0; k < interpreted.Count; k++) explanations.Add((column.Entries[k].Sample, j, interpreted[k]));
        }
        return explanations.OrderBy(e => e.Sample).ThenBy(e => e.Column).Select(e => e.Explanation).ToList();
    }

    /// <summary>Runs the model once, arranging for <see cref="ForwardResult.DifferentiateWith"/> to be a leaf of the graph.</summary>
    /// <param name="input">[N, C, H, W], already detached.</param>
    /// <param name="scope">The dispose scope of this call: tensors kept beyond the model's own scopes belong here.</param>
    protected abstract ForwardResult RunForward(Tensor input, DisposeScope scope);

    /// <summary>Turns the gradient of one score column into one explanation per entry of the column, in entry order.</summary>
    /// <param name="forward">The forward pass.</param>
    /// <param name="gradient">d(column total)/d(<see cref="ForwardResult.DifferentiateWith"/>), same shape.</param>
    /// <param name="column">The samples and scores this gradient belongs to.</param>
    internal abstract IReadOnlyList<Explanation> Interpret(ForwardResult forward, Tensor gradient, ScoreColumn column);

    /// <summary>A bilinear upsampling of [n, h, w] maps to the input size, each then scaled to [0, 1].</summary>
    internal static Tensor UpsampleAndNormalise(Tensor maps, long height, long width)
    {
        Tensor upsampled = nn.functional.interpolate(maps.unsqueeze(1), size: [height, width],
            mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1);
        Tensor flat = upsampled.flatten(1);
        Tensor minimum = flat.amin([1], keepdim: true);
        Tensor range = flat.amax([1], keepdim: true) - minimum;
        return ((flat - minimum) / range.clamp_min(1e-30)).view_as(upsampled);
    }
}
