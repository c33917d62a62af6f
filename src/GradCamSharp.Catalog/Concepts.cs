using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Models;
using GradCamSharp.Catalog.Heads;
using GradCamSharp.Scenes;

namespace GradCamSharp.Catalog;

/// <summary>
/// Heads for concepts of the user's own: a linear head trained, like the default model's, to tell the concepts apart
/// from each other and from background, on the user's examples (cut out, pasted onto other photos, and cropped in
/// context) and on the shipped photos as background.
/// </summary>
public static class Concepts
{
    /// <summary>The recipe for concept heads: smaller than the default head's, so that it trains in moments.</summary>
    public static HeadTrainingOptions Training { get; } = new() { Composites = 160, Crops = 160, Steps = 200 };

    /// <summary>
    /// A head over <paramref name="features"/> (which it owns) scoring each concept, plus background.
    /// </summary>
    /// <exception cref="UsageException">No concepts, or two with the same name.</exception>
    public static LinearHead Head(IExplainableModel features, Preprocessing preprocessing,
        IReadOnlyList<Concept> concepts,
        IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(concepts);
        if (concepts.Count == 0) throw new UsageException("no concepts given");
        string[] names = concepts.Select(c => c.Name).ToArray();
        if (names.Distinct(StringComparer.OrdinalIgnoreCase).Count() != names.Length)
            throw new UsageException("concept names must differ");
        if (names.Contains(HeadTrainer.BackgroundLabel, StringComparer.OrdinalIgnoreCase))
            throw new UsageException($"'{HeadTrainer.BackgroundLabel}' is the head's own class; name the concept " +
                "otherwise");

        var photos = new List<AnnotatedPhoto>();
        foreach (Concept concept in concepts)
        {
            foreach (ConceptExample example in concept.Examples)
            {
                Box box = example.Region();
                // With a box, the rest of the example photo is background; without, the photo is all concept.
                photos.Add(new AnnotatedPhoto(example.Path, [new AnnotatedObject(concept.Name, box)],
                    example.Box is not null));
            }
        }
        string shipped = Path.Combine(DefaultModel.SamplesFolder, "boxes.json");
        if (File.Exists(shipped))
            photos.AddRange(PhotoAnnotations.Read(shipped, DefaultModel.SamplesFolder).Where(p => p.Complete));
        TrainedHead trained = HeadTrainer.Train(features, preprocessing, photos, names, Training, progress);
        return new LinearHead(features, trained.Labels, trained.Weights, trained.Bias, HeadTrainer.BackgroundLabel);
    }
}
