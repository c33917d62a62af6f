using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Operators;

internal static partial class OnnxOperators
{
    private static void RegisterReductions(Dictionary<string, OperatorDefinition> r)
    {
        // The opset at which each reduction's axes moved from an attribute to an input.
        r["ReduceSum"] = Reduction(13, (x, axes, keep) => x.sum(axes, keep));
        r["ReduceMean"] = Reduction(18, (x, axes, keep) => x.mean(axes, keep));
        r["ReduceMax"] = Reduction(18, (x, axes, keep) => x.amax(axes, keep));
        r["ReduceMin"] = Reduction(18, (x, axes, keep) => x.amin(axes, keep));
        r["ReduceProd"] =
            Reduction(18, (x, axes, keep) => axes.OrderDescending().Aggregate(x, (t, axis) => t.prod(axis, keep)));
        r["ReduceSumSquare"] = Reduction(18, (x, axes, keep) => x.square().sum(axes, keep));
        r["ReduceL1"] = Reduction(18, (x, axes, keep) => x.abs().sum(axes, keep));
        r["ReduceL2"] = Reduction(18, (x, axes, keep) => x.square().sum(axes, keep).sqrt());
        r["ReduceLogSum"] = Reduction(18, (x, axes, keep) => x.sum(axes, keep).log());
        r["ReduceLogSumExp"] =
            Reduction(18, (x, axes, keep) => axes.OrderDescending().Aggregate(x, (t, axis) => t.logsumexp(axis, keep)));
        r["ArgMax"] = ArgReduction((x, axis, keep) => x.argmax(axis, keep));
        r["ArgMin"] = ArgReduction((x, axis, keep) => x.argmin(axis, keep));
    }

    private static OperatorDefinition Reduction(int axesBecameInput, Func<Tensor, long[], bool, Tensor> reduce) =>
        Single(["axes", "keepdims", "noop_with_empty_axes"], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            bool keep = n.Attributes.Int("keepdims", 1) != 0;
            long[]? axes =
                n.Opset < axesBecameInput ? n.Attributes.Ints("axes") : Optional(i, 1) is Tensor a ? Longs(a) : null;
            if (axes is null || axes.Length == 0)
            {
                if (n.Attributes.Int("noop_with_empty_axes", 0) != 0) return x.alias();
                axes = Enumerable.Range(0, (int)x.dim()).Select(d => (long)d).ToArray();
            }
            if (x.dim() == 0) return x.alias();
            return reduce(x, axes.Select(axis => NormaliseAxis(axis, x.dim())).Distinct().ToArray(), keep);
        });

    private static OperatorDefinition ArgReduction(Func<Tensor, long, bool, Tensor> reduce) =>
        Single(["axis", "keepdims", "select_last_index"], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            return reduce(x, NormaliseAxis(n.Attributes.Int("axis", 0), x.dim()), n.Attributes.Int("keepdims", 1) != 0);
        }, n =>
        {
            if (n.Attributes.Int("select_last_index", 0) != 0)
                throw n.Unsupported("select_last_index=1 is not supported");
        });
}
