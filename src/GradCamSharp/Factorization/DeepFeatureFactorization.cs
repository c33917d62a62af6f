using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Factorization;

/// <summary>
/// Deep Feature Factorization (Collins, Achanta and Süsstrunk, ECCV 2018): a layer's activations, channels as rows and
/// every position of every sample as a column, shifted by each channel's minimum to be non-negative, are factorised by
/// <see cref="NonNegativeFactorization"/> into k concepts: a channel vector each (what the concept is) and a map each
/// (where it is). The model's tail, fed each concept's vector at every position, says which classes the concept
/// raises, as pytorch-grad-cam runs the classifier on the concept embeddings. Unsupervised: no target and no gradient.
/// </summary>
/// <example>
/// <code>
/// ConceptFactorization parts = DeepFeatureFactorization.Factorize(model, input, concepts: 4);
/// foreach (FactorizedConcept concept in parts.Concepts)
///     Console.WriteLine($"{concept.Index}: class {concept.Classes[0].ClassIndex}");
/// </code>
/// </example>
public static class DeepFeatureFactorization
{
    /// <summary>Factorises the activations of <paramref name="layer"/> for <paramref name="input"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="input">[N, C, H, W] the inputs, factorised together (concepts shared by every sample).</param>
    /// <param name="concepts">k, how many concepts.</param>
    /// <param name="layer">The layer, or <see cref="ModelLayers.Auto"/>.</param>
    /// <param name="topClasses">How many classes each concept lists.</param>
    /// <param name="seed">The factorisation's seed.</param>
    /// <exception cref="UsageException">A layer that is no feature map or token grid, or k below 1.</exception>
    public static ConceptFactorization Factorize(IExplainableModel model, Tensor input, int concepts,
        string layer = ModelLayers.Auto, int topClasses = 3, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        if (concepts < 1) throw new UsageException($"the number of concepts must be at least 1, got {concepts}");
        model.ValidateInput(input);
        using DisposeScope scope = NewDisposeScope();
        using IDisposable state = model.BeginExplanation();
        using var noGrad = no_grad();
        string resolved = ModelLayers.Resolve(model, layer, input);
        long samples = input.shape[0];
        var tails = new List<ModelTail>();
        var maps = new List<Tensor>();
        TokenGrid? tokens = null;
        for (long n = 0; n < samples; n++)
        {
            ModelTail tail = ModelTail.Split(model, input[n].unsqueeze(0), resolved);
            Tensor value = tail.LayerOutput;
            if (value.dim() == 3) tokens = TokenGrid.Of(value, input, resolved);
            Tensor map = tokens?.ToMap(value) ?? value;
            if (map.dim() != 4)
            {
                throw new UsageException($"layer '{resolved}' has shape [{string.Join(", ", value.shape)}]; concepts " +
                    "need an [N, C, H, W] feature map or [N, tokens, C] patch tokens");
            }
            tails.Add(tail);
            maps.Add(map);
        }
        Tensor activations = cat(maps, 0).to(ScalarType.Float64);            // [N, C, h, w]
        long channels = activations.shape[1], height = activations.shape[2], width = activations.shape[3];
        Tensor rows = activations.transpose(0, 1).reshape(channels, -1);       // [C, N h w]
        Tensor offset = rows.amin([1], keepdim: true);
        (Tensor w, Tensor h, double error) = NonNegativeFactorization.Factorize(rows - offset, concepts, seed);
        Tensor embeddings = (w + offset).t();                                   // [k, C]
        Tensor locations = h.reshape(concepts, samples, height, width);

        // Each concept's vector at every position of the first sample's layer, run through the rest of the model.
        Tensor filled = embeddings.reshape(concepts, channels, 1, 1).expand(-1, -1, height, width)
            .to(maps[0].dtype);
        Tensor layerValues = tokens is null ? filled
            : tokens.ToTokens(filled, tails[0].LayerOutput.expand(concepts, -1, -1));
        Tensor probabilities = tails[0].Run(layerValues).reshape(concepts, -1).softmax(1).to(ScalarType.Float64);
        int listed = (int)Math.Min(topClasses, probabilities.shape[1]);
        (Tensor best, Tensor indices) = probabilities.topk(listed, 1);

        var result = new List<FactorizedConcept>();
        for (int k = 0; k < concepts; k++)
        {
            Tensor upsampled = CamMethod.UpsampleAndNormalise(locations[k], input.shape[2], input.shape[3]);
            Heatmap[] perSample = [.. Enumerable.Range(0, (int)samples).Select(n => new Heatmap(
                (int)input.shape[3], (int)input.shape[2], upsampled[n].contiguous().to(ScalarType.Float32)
                    .data<float>().ToArray()))];
            float[] embedding = embeddings[k].to(ScalarType.Float32).data<float>().ToArray();
            (int, double)[] classes = [.. Enumerable.Range(0, listed).Select(i =>
                ((int)indices[k, i].item<long>(), best[k, i].item<double>()))];
            result.Add(new FactorizedConcept(k, perSample, embedding, classes));
        }
        return new ConceptFactorization(resolved, result, error);
    }
}
