using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Operators;

internal static partial class OnnxOperators
{
    private static void RegisterElementwise(Dictionary<string, OperatorDefinition> r)
    {
        r["Relu"] = new([], (node, inputs, context) =>
        {
            Tensor x = Required(inputs, 0, node);
            return [context.Taps.DeconvnetThisRelu() ? DeconvnetRelu.Apply(x)
                : context.Taps.GuideThisRelu() ? GuidedRelu.Apply(x) : x.relu()];
        });
        r["Identity"] = Single([], (n, i) => Required(i, 0, n).alias());
        r["Sigmoid"] = Unary(x => x.sigmoid());
        r["Tanh"] = Unary(x => x.tanh());
        r["Exp"] = Unary(x => x.exp());
        r["Log"] = Unary(x => x.log());
        r["Sqrt"] = Unary(x => x.sqrt());
        r["Abs"] = Unary(x => x.abs());
        r["Neg"] = Unary(x => x.neg());
        r["Reciprocal"] = Unary(x => x.reciprocal());
        r["Floor"] = Unary(x => x.floor());
        r["Ceil"] = Unary(x => x.ceil());
        r["Round"] = Unary(x => x.round());
        r["Sign"] = Unary(x => x.sign());
        r["Erf"] = Unary(x => x.erf());
        r["Sin"] = Unary(x => x.sin());
        r["Cos"] = Unary(x => x.cos());
        r["Not"] = Unary(x => x.logical_not());
        r["Softplus"] = Unary(x => nn.functional.softplus(x));
        r["Softsign"] = Unary(x => x / (x.abs() + 1));
        r["Mish"] = Unary(x => x * nn.functional.softplus(x).tanh());
        r["HardSwish"] = Unary(x => x * (x / 6 + 0.5).clamp(0, 1));
        r["HardSigmoid"] = Single(["alpha", "beta"], (n, i) =>
            (Required(i, 0, n) * n.Attributes.Float("alpha", 0.2f) + n.Attributes.Float("beta", 0.5f)).clamp(0, 1));
        r["LeakyRelu"] = Single(["alpha"],
            (n, i) => nn.functional.leaky_relu(Required(i, 0, n), n.Attributes.Float("alpha", 0.01f)));
        r["Elu"] = Single(["alpha"], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            return where(x.gt(0), x, (x.exp() - 1) * n.Attributes.Float("alpha", 1f));
        });
        r["Celu"] = Single(["alpha"], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            float alpha = n.Attributes.Float("alpha", 1f);
            return x.clamp_min(0) + ((x / alpha).exp() - 1).mul(alpha).clamp_max(0);
        });
        r["Selu"] = Single(["alpha", "gamma"], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            float alpha = n.Attributes.Float("alpha", 1.67326319217681884765625f),
                gamma = n.Attributes.Float("gamma", 1.05070102214813232421875f);
            return where(x.gt(0), x, (x.exp() - 1) * alpha) * gamma;
        });
        r["ThresholdedRelu"] = Single(["alpha"], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            return where(x.gt(n.Attributes.Float("alpha", 1f)), x, zeros_like(x));
        });
        r["PRelu"] = Single([], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            return where(x.ge(0), x, x * Required(i, 1, n));
        });
        r["Gelu"] = Single(["approximate"], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            return n.Attributes.String("approximate", "none") == "tanh"
                ? 0.5 * x * (1 + (Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x.pow(3))).tanh())
                : 0.5 * x * (1 + (x / Math.Sqrt(2)).erf());
        }, n =>
        {
            if (n.Attributes.String("approximate", "none") is not ("none" or "tanh"))
                throw n.Unsupported("approximate must be 'none' or 'tanh'");
        });
        r["Clip"] = Single(["min", "max"], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            // Before opset 11 the bounds are attributes; since then, optional inputs.
            double? min = n.Opset < 11 ? n.Attributes.Float("min", float.NegativeInfinity)
                : Optional(i, 1) is Tensor lo ? Scalar(lo) : null;
            double? max = n.Opset < 11 ? n.Attributes.Float("max", float.PositiveInfinity)
                : Optional(i, 2) is Tensor hi ? Scalar(hi) : null;
            if (min is double a && max is double b) return x.clamp(a, b);
            if (min is double only) return x.clamp_min(only);
            return max is double top ? x.clamp_max(top) : x.alias();
        });
        r["Cast"] = Single(["to", "saturate"], (n, i) => Required(i, 0, n).to(CastTarget(n)), n => CastTarget(n));
        r["CastLike"] = Single(["saturate"], (n, i) => Required(i, 0, n).to(Required(i, 1, n).dtype));

        r["Add"] = Binary((a, b) => a + b);
        r["Sub"] = Binary((a, b) => a - b);
        r["Mul"] = Binary((a, b) => a * b);
        r["Div"] = Binary((a, b) => IsFloating(a) || IsFloating(b) ? a / b : a.div(b, RoundingMode.trunc));
        r["Pow"] = Binary((a, b) => a.pow(b));
        r["Equal"] = Binary((a, b) => a.eq(b));
        r["Less"] = Binary((a, b) => a.lt(b));
        r["LessOrEqual"] = Binary((a, b) => a.le(b));
        r["Greater"] = Binary((a, b) => a.gt(b));
        r["GreaterOrEqual"] = Binary((a, b) => a.ge(b));
        r["And"] = Binary((a, b) => a.logical_and(b));
        r["Or"] = Binary((a, b) => a.logical_or(b));
        r["Xor"] = Binary((a, b) => a.logical_xor(b));
        r["Mod"] = Single(["fmod"], (n, i) =>
        {
            Tensor a = Required(i, 0, n), b = Required(i, 1, n);
            return n.Attributes.Int("fmod", 0) == 1 ? a.fmod(b) : a.remainder(b);
        });
        r["Max"] = Variadic((a, b) => a.maximum(b));
        r["Min"] = Variadic((a, b) => a.minimum(b));
        r["Sum"] = Variadic((a, b) => a + b);
        r["Mean"] = Single([], (n, i) => i.Select((t, k) => Required(i, k, n)).Aggregate((a, b) => a + b) / i.Length);
        r["Where"] =
            Single([], (n, i) => where(Required(i, 0, n).to(ScalarType.Bool), Required(i, 1, n), Required(i, 2, n)));
    }

    private static OperatorDefinition Unary(Func<Tensor, Tensor> function) =>
        Single([], (n, i) => function(Required(i, 0, n)));

    private static OperatorDefinition Variadic(Func<Tensor, Tensor, Tensor> combine) =>
        Single([], (n, i) => i.Select((t, k) => Required(i, k, n)).Aggregate(combine));

    /// <summary>
    /// A broadcasting binary operator, including the legacy (opset &lt; 7) broadcast/axis attributes.
    /// </summary>
    private static OperatorDefinition Binary(Func<Tensor, Tensor, Tensor> function) =>
        Single(["broadcast", "axis", "consumed_inputs"], (n, i) =>
    {
        Tensor a = Required(i, 0, n), b = Required(i, 1, n);
        if (n.Opset < 7 && n.Attributes.Int("broadcast", 0) == 1 && n.Attributes.IntOrNull("axis") is long axis)
        {
            long start = NormaliseAxis(axis, a.dim());
            long[] shape = Enumerable.Repeat(1L, (int)a.dim()).ToArray();
            for (int k = 0; k < b.dim(); k++) shape[start + k] = b.shape[k];
            b = b.reshape(shape);
        }
        return function(a, b);
    });

    private static ScalarType CastTarget(OnnxNode node) =>
        OnnxTensors.ScalarTypeOf((int)node.Attributes.Int("to", 0))
        ?? throw node.Unsupported($"cannot cast to ONNX type {node.Attributes.Int("to", 0)}");
}
