using GradCamSharp.Models;

namespace GradCamSharp.Methods;

/// <summary>
/// The method registry: one entry per method, in the paper's order first. Adding a method is one class and one entry
/// here. Any CAM method also combines with Guided Backprop as <c>guided-NAME</c> (e.g. <c>guided-scorecam</c>).
/// </summary>
public static class KnownMethods
{
    /// <summary>Grad-CAM.</summary>
    public const string GradCam = "gradcam";

    /// <summary>Guided Backpropagation.</summary>
    public const string GuidedBackprop = "guided-backprop";

    /// <summary>Guided Grad-CAM.</summary>
    public const string GuidedGradCam = "guided-gradcam";

    /// <summary>Grad-CAM with negated gradients.</summary>
    public const string Counterfactual = "counterfactual";

    /// <summary>
    /// The name that asks for every method with <see cref="MethodDescriptor.InAll"/>: the paper's four maps.
    /// </summary>
    public const string All = "all";

    /// <summary>The prefix that combines a CAM method with Guided Backprop.</summary>
    public const string GuidedPrefix = "guided-";

    private const string GradCamPaper = "Selvaraju et al., Grad-CAM, ICCV 2017";

    /// <summary>Every registered method, the paper's four first, in the order of its figures.</summary>
    public static IReadOnlyList<MethodDescriptor> Registered { get; } =
    [
        new()
        {
            Name = GradCam, Title = "Grad-CAM", InAll = true, Paper = GradCamPaper,
            Summary = "feature maps weighted by the spatial mean of the score's gradient (eq. 1-2)",
            Create = (model, options) => new GradCam(model, options),
        },
        new()
        {
            Name = GuidedBackprop, Title = "Guided Backprop", InAll = true, UsesLayer = false,
            Paper = "Springenberg et al., Striving for Simplicity, ICLR 2015 workshop",
            Summary = "the input gradient with every ReLU passing back only positive gradients",
            Obstacle = model => model.ReluObstacle,
            Create = (model, _) => new GuidedBackprop(model),
        },
        new()
        {
            Name = GuidedGradCam, Title = "Guided Grad-CAM", InAll = true, Paper = GradCamPaper,
            Summary = "Guided Backprop times the upsampled Grad-CAM map (sec. 3.1)",
            Obstacle = model => model.ReluObstacle,
            Create = (model, options) => new GuidedGradCam(model, options),
        },
        new()
        {
            Name = Counterfactual, Title = "Counterfactual", InAll = true, Paper = GradCamPaper,
            Summary = "Grad-CAM of the negated gradient: what lowers the score (sec. 3.3)",
            Create = (model, options) => new GradCam(model, options with { Counterfactual = true }),
        },
        new()
        {
            Name = "gradcam++", Title = "Grad-CAM++", Paper = "Chattopadhay et al., Grad-CAM++, WACV 2018",
            Summary = "positive gradients weighted by higher-order terms (eq. 19)",
            Create = (model, options) => new GradCamPlusPlus(model, options),
        },
        new()
        {
            Name = "xgradcam", Title = "XGrad-CAM", Paper = "Fu et al., Axiom-based Grad-CAM, BMVC 2020",
            Summary = "gradients weighted by the normalised activations (eq. 9)",
            Create = (model, options) => new XGradCam(model, options),
        },
        new()
        {
            Name = "hirescam", Title = "HiResCAM", Paper = "Draelos and Carin, HiResCAM, 2020",
            Summary = "element-wise gradient times activation, summed over channels (eq. 4)",
            Create = (model, options) => new HiResCam(model, options),
        },
        new()
        {
            Name = "layercam", Title = "LayerCAM", Paper = "Jiang et al., LayerCAM, IEEE TIP 2021",
            Summary = "activations weighted element-wise by the positive gradient (eq. 5)",
            Create = (model, options) => new LayerCam(model, options),
        },
        new()
        {
            Name = "gradcam-elementwise", Title = "Element-wise Grad-CAM",
            Paper = "pytorch-grad-cam, after Draelos and Carin, HiResCAM, 2020",
            Summary = "positive parts of gradient times activation, summed over channels",
            Create = (model, options) => new GradCamElementWise(model, options),
        },
        new()
        {
            Name = "eigengradcam", Title = "EigenGrad-CAM",
            Paper = "pytorch-grad-cam, after Muhammad and Yeasin, Eigen-CAM, IJCNN 2020",
            Summary = "gradient times activation projected on its first principal component",
            Create = (model, options) => new EigenGradCam(model, options),
        },
        new()
        {
            Name = "eigencam", Title = "Eigen-CAM", NeedsGradients = false,
            Paper = "Muhammad and Yeasin, Eigen-CAM, IJCNN 2020",
            Summary = "projection of the activations on their first principal component; class-agnostic",
            Create = (model, options) => new EigenCam(model, options),
        },
        new()
        {
            Name = "gradient", Title = "Gradient", UsesLayer = false, NeedsClassTarget = true,
            Paper = "Simonyan et al., Deep Inside Convolutional Networks, ICLR 2014 workshop",
            Summary = "the class score's derivative with respect to each input pixel",
            Create = (model, _) => new VanillaGradient(model),
        },
        new()
        {
            Name = "deconvnet", Title = "Deconvnet", UsesLayer = false, NeedsClassTarget = true,
            Paper = "Zeiler and Fergus, Visualizing and Understanding CNNs, ECCV 2014",
            Summary = "the score projected back with every ReLU rectifying the gradient, not masked by its input",
            Obstacle = model => model.ReluObstacle ?? model.DeconvnetObstacle,
            Create = (model, _) => new Deconvnet(model),
        },
        new()
        {
            Name = "gradient-x-input", Title = "Gradient x Input", UsesLayer = false, NeedsClassTarget = true,
            Paper = "Shrikumar et al., Not Just a Black Box, 2016",
            Summary = "the input gradient times the input: a first-order contribution per pixel",
            Create = (model, _) => new GradientTimesInput(model),
        },
        new()
        {
            Name = "smoothgrad", Title = "SmoothGrad", UsesLayer = false, NeedsClassTarget = true,
            PerturbsInputs = true,
            Paper = "Smilkov et al., SmoothGrad, 2017",
            Summary = "the input gradient averaged over 25 noisy copies (noise 15% of the range, seeded)",
            Create = (model, _) => new SmoothGrad(model),
        },
        new()
        {
            Name = "integrated-gradients", Title = "Integrated Gradients", UsesLayer = false, NeedsClassTarget = true,
            PerturbsInputs = true,
            Paper = "Sundararajan et al., Axiomatic Attribution, ICML 2017",
            Summary = "input minus baseline times the gradient averaged on the path from a zero baseline (64 steps)",
            Create = (model, _) => new IntegratedGradients(model),
        },
        new()
        {
            Name = "occlusion", Title = "Occlusion", UsesLayer = false, NeedsGradients = false,
            PerturbsInputs = true,
            NeedsClassTarget = true, Paper = "Zeiler and Fergus, Visualizing and Understanding CNNs, ECCV 2014",
            Summary = "the score's drop when a patch hides each region (patch 1/7 of the input, stride half of it)",
            Create = (model, _) => new OcclusionSensitivity(model),
        },
        new()
        {
            Name = "scorecam", Title = "Score-CAM", NeedsGradients = false, NeedsClassTarget = true,
            PerturbsInputs = true,
            Paper = "Wang et al., Score-CAM, CVPR Workshops 2020",
            Summary = "each feature map masks the input; the softmax of the masked scores weights it (eq. 5-6)",
            Create = (model, options) => new ScoreCam(model, options),
        },
        new()
        {
            Name = "ablationcam", Title = "Ablation-CAM", NeedsGradients = false, NeedsClassTarget = true,
            PerturbsInputs = true,
            Paper = "Desai and Ramaswamy, Ablation-CAM, WACV 2020",
            Summary = "each channel weighted by the score's relative drop when it is zeroed; only later layers re-run",
            Create = (model, options) => new AblationCam(model, options),
        },
        new()
        {
            Name = "fullgrad", Title = "FullGrad", UsesLayer = false, NeedsClassTarget = true,
            Paper = "Srinivas and Fleuret, Full-Gradient Representation, NeurIPS 2019",
            Summary = "magnitudes of input gradient x input and of each layer's bias x gradient, scaled and summed",
            Obstacle = model => model.LayerBiases().Count == 0 ? FullGrad.NoBiasObstacle : null,
            Create = (model, _) => new FullGrad(model),
        },
        new()
        {
            Name = "attention-rollout", Title = "Attention rollout", UsesLayer = false, NeedsGradients = false,
            Paper = "Abnar and Zuidema, Quantifying Attention Flow in Transformers, ACL 2020",
            Summary = "product over blocks of head-mean attention + identity, rows normalised; class token's row",
            Obstacle = model => model.AttentionLayers.Count == 0 ? AttentionFlow.NoAttentionObstacle : null,
            Create = (model, options) => new AttentionRollout(model, options),
        },
        new()
        {
            Name = "attention-relevance", Title = "Attention relevance", UsesLayer = false, NeedsClassTarget = true,
            Paper = "Chefer, Gur and Wolf, Generic Attention-model Explainability, ICCV 2021",
            Summary = "R = I, then per block R += mean over heads of (gradient x attention)+ times R",
            Obstacle = model => model.AttentionLayers.Count == 0 ? AttentionFlow.NoAttentionObstacle : null,
            Create = (model, options) => new AttentionRelevance(model, options),
        },
        new()
        {
            Name = "kpcacam", Title = "KPCA-CAM", NeedsGradients = false,
            Paper = "Karmani et al., KPCA-CAM, 2024",
            Summary = "the positions' first kernel principal component (sigmoid kernel); class-agnostic",
            Create = (model, options) => new KpcaCam(model, options),
        },
        new()
        {
            Name = "fem", Title = "FEM", NeedsGradients = false,
            Paper = "Fuad et al., Features Understanding in 3D CNNs, IPTA 2020",
            Summary = "each map weighted by its share of positions above its mean + 2 std; class-agnostic",
            Create = (model, options) => new Fem(model, options),
        },
        new()
        {
            Name = "shapleycam", Title = "ShapleyCAM", NeedsClassTarget = true,
            Paper = "Cai et al., CAMs as Shapley Value-based Explainers, 2025",
            Summary = "the spatial mean of gradient minus half the Hessian-vector product H A",
            Create = (model, options) => new ShapleyCam(model, options),
        },
        new()
        {
            Name = "finercam", Title = "Finer-CAM", NeedsClassTarget = true,
            Paper = "Zhang et al., Finer-CAM, CVPR 2025",
            Summary = "Grad-CAM of the class's score minus its 3 nearest classes', softmax-weighted",
            Create = (model, options) => new FinerCam(model, options),
        },
        new()
        {
            Name = "segeigencam", Title = "Seg-Eigen-CAM",
            Paper = "Chung and Ying, Seg-Eigen-CAM, Applied Sciences 2025",
            Summary = "gradient magnitude x activations, centred, on the first principal component, sign fixed",
            Create = (model, options) => new SegEigenCam(model, options),
        },
        new()
        {
            Name = "refinecam", Title = "RefineCAM", NeedsClassTarget = true, CombinesLayers = true,
            Paper = "pytorch-grad-cam, RefineCAM, 2026",
            Summary = "the product of Grad-CAM++ maps at 3 layers of falling depth (or every --layer)",
            Create = (model, options) => new RefineCam(model, options),
        },
        new()
        {
            Name = "randomcam", Title = "RandomCAM", NeedsGradients = false,
            Paper = "pytorch-grad-cam, a baseline for metrics",
            Summary = "feature maps weighted by seeded uniform numbers in [-1, 1]: the chance level of every metric",
            Create = (model, options) => new RandomCam(model, options),
        },
    ];

    /// <summary>The methods that score perturbed inputs (see <see cref="MethodDescriptor.PerturbsInputs"/>).</summary>
    public static IReadOnlyList<string> Perturbing { get; } = [.. Registered.Where(m => m.PerturbsInputs)
        .Select(m => m.Name)];

    /// <summary>
    /// The registered methods that explain a volume model (see <see cref="Explainer.ExplainsVolumes"/>), asked of
    /// each method made for <paramref name="model"/>.
    /// </summary>
    internal static IReadOnlyList<string> ForVolumes(IExplainableModel model) => [.. Registered
        .Where(m => m.UsesLayer && !m.CombinesLayers && m.Create(model, new CamOptions()).ExplainsVolumes)
        .Select(m => m.Name)];

    /// <summary>Every registered method name, in registry order.</summary>
    public static IReadOnlyList<string> Names { get; } = Registered.Select(m => m.Name).ToArray();

    /// <summary>
    /// The names that <c>--method</c> accepts, for messages: the registered names and <see cref="All"/>.
    /// </summary>
    public static string Accepted => $"{string.Join(", ", Names)}, {GuidedPrefix}CAM (e.g. guided-scorecam), {All}";

    /// <summary>
    /// The method called <paramref name="name"/> (case-insensitive): a registered method, or <c>guided-NAME</c> for
    /// Guided Backprop combined with the CAM method NAME.
    /// </summary>
    /// <exception cref="UsageException">Unknown name.</exception>
    public static MethodDescriptor Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        MethodDescriptor? found =
            Registered.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));
        if (found is not null) return found;
        if (name.StartsWith(GuidedPrefix, StringComparison.OrdinalIgnoreCase)
            && Registered.FirstOrDefault(m => m.UsesLayer && !m.CombinesLayers
                && string.Equals(m.Name, name[GuidedPrefix.Length..],
                StringComparison.OrdinalIgnoreCase)) is { } cam)
        {
            return cam with
            {
                Name = GuidedPrefix + cam.Name,
                Title = "Guided " + cam.Title,
                Summary = $"Guided Backprop times the upsampled {cam.Title} map",
                InAll = false,
                Obstacle = model => model.ReluObstacle ?? cam.Obstacle(model),
                Create = (model, options) => new GuidedGradCam((CamMethod)cam.Create(model, options)),
            };
        }
        throw new UsageException($"unknown method '{name}'; known: {Accepted}");
    }

    /// <summary>
    /// The methods <paramref name="names"/> ask for, in order and without repeats: <see cref="All"/> expands to the
    /// paper's four; no name at all means Grad-CAM.
    /// </summary>
    /// <exception cref="UsageException">An unknown name.</exception>
    public static IReadOnlyList<MethodDescriptor> Expand(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var expanded = new List<MethodDescriptor>();
        foreach (string name in names)
        {
            IEnumerable<MethodDescriptor> methods = string.Equals(name, All, StringComparison.OrdinalIgnoreCase)
                ? Registered.Where(m => m.InAll) : [Get(name)];
            foreach (MethodDescriptor method in methods)
            {
                if (!expanded.Any(m => m.Name == method.Name)) expanded.Add(method);
            }
        }
        return expanded.Count > 0 ? expanded : [Get(GradCam)];
    }

    /// <summary>Creates the method called <paramref name="name"/> for <paramref name="model"/>.</summary>
    /// <exception cref="UsageException">Unknown name.</exception>
    public static Explainer Create(string name, IExplainableModel model, CamOptions? options = null) =>
        Get(name).Create(model, options ?? new CamOptions());

    /// <summary>
    /// Creates every method <paramref name="names"/> ask for as one <see cref="MethodSet"/>, so that they share their
    /// forward pass. With several <paramref name="layers"/>, each method that reads a layer runs at every one of them
    /// and its maps are fused into one (the set options' <see cref="MethodSetOptions.LayerFusion"/>: the mean of the
    /// upsampled maps, or LayerCAM's scaled sum); the options' own layer is then ignored.
    /// </summary>
    /// <param name="names">Method names, as <see cref="Expand"/> takes them.</param>
    /// <param name="model">The model explained.</param>
    /// <param name="options">What each method takes (its layer, map options).</param>
    /// <param name="setOptions">What the set takes (smoothing over augmentations, fusion of layers).</param>
    /// <param name="layers">Several target layers, whose maps are fused; null for the options' layer.</param>
    /// <exception cref="UsageException">An unknown name.</exception>
    /// <example>
    /// <code>
    /// // The paper's four maps (Grad-CAM, Guided Backprop, Guided Grad-CAM, counterfactual) from one forward pass.
    /// var four = KnownMethods.CreateSet(["all"], model).Explain(input, new ClassTarget(0));
    /// </code>
    /// </example>
    public static MethodSet CreateSet(IEnumerable<string> names, IExplainableModel model, CamOptions? options = null,
        MethodSetOptions? setOptions = null, IReadOnlyList<string>? layers = null)
    {
        options ??= new CamOptions();
        string[] targetLayers = layers is { Count: > 0 } ? layers.Distinct().ToArray() : [options.Layer];
        var methods = new List<Explainer>();
        var outputOf = new List<int>();
        IReadOnlyList<MethodDescriptor> expanded = Expand(names);
        for (int output = 0; output < expanded.Count; output++)
        {
            MethodDescriptor method = expanded[output];
            if (method.CombinesLayers)
            {
                methods.Add(method.Create(model, options with
                {
                    Layer = targetLayers[0],
                    Layers = targetLayers.Length > 1 ? targetLayers : null,
                }));
                outputOf.Add(output);
                continue;
            }
            foreach (string layer in method.UsesLayer ? targetLayers : targetLayers.Take(1))
            {
                methods.Add(method.Create(model, options with { Layer = layer }));
                outputOf.Add(output);
            }
        }
        return new MethodSet(methods, outputOf, setOptions);
    }
}
