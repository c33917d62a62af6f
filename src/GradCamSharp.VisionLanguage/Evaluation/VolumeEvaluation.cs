using GradCamSharp.Catalog;
using GradCamSharp.Evaluation;
using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Scenes;
using GradCamSharp.Targets;
using GradCamSharp.VisionLanguage.VolumeModels;
using static TorchSharp.torch;

namespace GradCamSharp.VisionLanguage.Evaluation;

public static partial class VisionLanguageEvaluator
{
    /// <summary>The task name of <see cref="EvaluateVolumes"/>'s reports.</summary>
    public const string Volume = "volume";

    /// <summary>
    /// Measures a volume-world model (<see cref="VolumeModelTrainer"/>; classes sphere and cube, either or both per
    /// volume) on held-out volumes: the share of volumes whose set of kinds it gets exactly right (logits above zero),
    /// and for each method and each kind present, its map (at the automatic layer, a volume map) against the kind's
    /// exact voxels: the pointing game (the peak voxel inside them), the mean map inside over the mean outside, and
    /// the share of the map's mass inside.
    /// </summary>
    /// <param name="model">A loaded volume model (<c>volumes-cnn</c>, or one trained so with --labels).</param>
    /// <param name="volumes">How many held-out volumes.</param>
    /// <param name="seed">Their seed; the shipped model's training seeds (1 and 2) are refused.</param>
    /// <param name="methods">The methods (default <see cref="ClassifierMethods"/>); those that explain volumes.</param>
    /// <param name="progress">Receives a line every 50 volumes.</param>
    /// <param name="cancellation">Stops between volumes.</param>
    /// <exception cref="UsageException">Not a volume-world model, a training seed, a bad count, a method that does not
    /// explain volumes.</exception>
    public static VisionLanguageReport EvaluateVolumes(LoadedModel model, int volumes, int seed,
        IReadOnlyList<string>? methods = null, IProgress<string>? progress = null,
        CancellationToken cancellation = default)
    {
        methods = CheckedSceneModel(model, VolumeModelTrainer.Classes, "model", volumes, seed, methods, "volume-world");
        var report = new VisionLanguageReport
        {
            Model = model.Name, Task = Volume, World = "volumes", Scenes = volumes, Seed = seed,
        };
        var exact = new Tally();
        report.Accuracy["kind set"] = exact;
        var scores = new Dictionary<(string Method, string Layer), LocalisationScore>();
        MethodSet set = KnownMethods.CreateSet(methods, model.Model);
        double coverage = 0;
        int targets = 0;
        for (int i = 0; i < volumes; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            VolumeScene volume = VolumeWorld.Generate(seed, i);
            using var scope = NewDisposeScope();
            Tensor input = VolumeModelTrainer.Input(volume);
            float[] truth = VolumeModelTrainer.Labels(volume);
            using (no_grad())
            using (model.Model.BeginExplanation())
            {
                float[] logits = model.Model.Forward(input, ForwardTaps.None)[0].data<float>().ToArray();
                exact.Total++;
                if (logits.Select(v => v > 0).SequenceEqual(truth.Select(v => v > 0.5f))) exact.Right++;
            }
            // Every kind present explained in one pass: ordered by kind, then method.
            int[] present = [.. Enumerable.Range(0, truth.Length).Where(k => truth[k] > 0.5f)];
            IReadOnlyList<Explanation> explained = set.Explain(input,
                [[.. present.Select(kind => (ITarget)new ClassTarget(kind))]]);
            int perKind = explained.Count / present.Length;
            for (int e = 0; e < explained.Count; e++)
            {
                int kind = present[e / perKind];
                bool Inside(int voxel) => volume.IsOf(voxel, kind);
                if (e % perKind == 0)
                {
                    coverage += Enumerable.Range(0, volume.Labels.Length).Count(Inside) / (double)volume.Labels.Length;
                    targets++;
                }
                Explanation explanation = explained[e];
                VolumeMap map = explanation.Volume!;
                (int z, int y, int x) = map.Peak;
                bool hit = map[z, y, x] > 0 && Inside((z * map.Height + y) * map.Width + x);
                (double inside, double outside) = MapRegions.Means(map.Values, Inside);
                ScoreOf(scores, explanation.Method, explanation.Layer).Count(hit, inside, outside,
                    MapRegions.Share(map.Values, Inside));
            }
            if ((i + 1) % 50 == 0 || i + 1 == volumes) progress?.Report($"{i + 1}/{volumes} volumes");
        }
        report.Localisation.AddRange(scores.Values);
        report.ChancePointing = targets == 0 ? 0 : coverage / targets;
        return report;
    }
}
