using System.CommandLine;
using GradCamSharp.Catalog;
using GradCamSharp.Imaging;
using GradCamSharp.Methods;
using GradCamSharp.Pipeline;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam detect</c>: a detector's detections on photos, each explained.</summary>
internal static class DetectCommand
{
    /// <summary>The method a detection is explained with unless others are asked for.</summary>
    public const string DefaultMethod = DetectionPipeline.DefaultMethod;

    internal static Command Create()
    {
        var defaults = new DetectionOptions();
        var images = new Argument<string[]>("IMAGE")
        {
            Description = "Photos to detect objects in (JPEG, PNG, WebP, BMP), or folders of them",
            Arity = ArgumentArity.OneOrMore,
        };
        // HiResCAM by default: a detection's score reads a few cells of the backbone, and Grad-CAM's mean of the
        // gradient over the whole map loses them (on shapes-detector its peak is in the box 14% of the time, HiResCAM's
        // 93%: docs/detection.md).
        images.Validators.Add(result =>
        {
            // An unknown option (--class is explain's) would otherwise be taken for a file name.
            foreach (string token in result.Tokens.Select(t => t.Value).Where(v => v.StartsWith('-') && v.Length > 1))
                result.AddError($"unrecognized option '{token}'");
        });
        var method = MethodOption.Create(DefaultMethod);
        var layers = new LayerOptions("Target layer; 'auto' is the backbone's last map that every detection depends " +
            "on (below a feature pyramid)");
        var threshold = new Option<float>("--threshold")
        {
            Description = "The least score (sigmoid(objectness) x class probability) of a detection",
            DefaultValueFactory = _ => defaults.Threshold,
        };
        var overlap = new Option<float>("--overlap")
        {
            Description = "Non-maximum suppression: a box overlapping a better one of its class by more IoU is dropped",
            DefaultValueFactory = _ => defaults.Overlap,
        };
        var anchor = new Option<float>("--anchor")
        {
            Description = "The box size in input pixels that tw = th = 0 stands for (32 for shapes-detector)",
            DefaultValueFactory = _ => defaults.Anchor,
        };
        var most = new Option<int>("--max-detections")
        {
            Description = "The most detections explained per photo, best first",
            DefaultValueFactory = _ => defaults.MostDetections,
        };
        var common = new CommonOptions();
        var outputs = new OutputOptions();
        var photos = new PhotoOptions();
        var command = CommandHelp.Create("detect", "Detect objects and explain each detection", """
            Runs a single-tensor (YOLO-style) detector, whose output is a map [N, 5 + classes, H, W] of per cell an
            objectness logit, box terms (x and y offsets in the cell through a sigmoid, log width and height over
            --anchor) and class logits; keeps the cells scoring at least --threshold after non-maximum suppression,
            and explains each detection through its own score at the cell that produced it (objectness plus class
            logit), at the backbone's last map, with HiResCAM unless --method says otherwise (Grad-CAM's mean
            gradient over the whole map loses a detection's few cells). Writes PHOTO_detections.png (every box),
            per detection and method PHOTO_dN_LABEL_METHOD.png (the map with the detection's box) and
            explanations.json (box, score, cell, peak and whether it lies in the box). The shipped shapes-detector
            was trained here on the shape world (gradcam train detector; gradcam evaluate --task detect measures it).
            A detector exported whole with boxes [D, 4], scores [D] and labels [D] (torchvision's SSD, RetinaNet,
            Faster R-CNN) runs post-processing included; each detection is explained through the output box that
            matches it (its IoU plus its score, pytorch-grad-cam's Faster R-CNN target) at the backbone's last map
            that every detection depends on.

            Examples:
              gradcam scenes --world shapes --count 3 --seed 7 --out scenes/
              gradcam detect scenes/scene_00000.png --model shapes-detector
              gradcam detect scenes/ --model shapes-detector --out detections/
              gradcam detect photo.png --model yolo.onnx --labels classes.txt --anchor 64 --method gradcam,eigencam
              gradcam detect photo.jpg --model fasterrcnn.onnx --labels coco.txt --threshold 0.5
              gradcam detect photo.jpg --model retinanet.onnx --labels coco.txt --layer auto \
                  --layer backbone.body.layer3 --layer backbone.body.layer4     # a feature pyramid's maps, fused
            """);
        command.Add(images);
        command.Add(method);
        layers.AddTo(command);
        foreach (Option option in new Option[] { threshold, overlap, anchor, most }) command.Add(option);
        common.AddTo(command);
        outputs.AddTo(command);
        photos.AddTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            (string spec, ModelLoadOptions loading) = common.Read(result);
            ExplainJob job = outputs.Job(result, result.GetValue(images) ?? [], photos, method, DefaultMethod);
            job = job with { Settings = layers.Apply(result, job.Settings) };
            var detection = new DetectionOptions
            {
                Threshold = result.GetValue(threshold),
                Overlap = result.GetValue(overlap),
                Anchor = result.GetValue(anchor),
                MostDetections = result.GetValue(most),
            };
            return Task.FromResult(Run(result.InvocationConfiguration.Output, result.InvocationConfiguration.Error,
                spec, loading, job, detection, result.GetValue(outputs.Json), result.GetValue(outputs.Quiet),
                cancellationToken));
        });
        return command;
    }

    /// <summary>Runs <c>detect</c>; returns the exit code.</summary>
    public static int Run(TextWriter output, TextWriter error, string model, ModelLoadOptions loading, ExplainJob job,
        DetectionOptions detection, bool json, bool quiet, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(detection);
        // What can be checked without the model is checked before it is loaded.
        detection.Validate();
        _ = KnownMethods.Expand(job.Settings.Methods);
        _ = KnownColormaps.Get(job.Settings.Colormap);
        foreach (string image in job.Images) ImageLoader.Probe(image, job.Decoding);
        using LoadedModel loaded = ModelCatalog.Load(model, loading);
        IReadOnlyList<ManifestEntry> entries = new DetectionPipeline(loaded).Run(job, detection,
            quiet ? null : new LineProgress(error), cancellationToken);
        if (!quiet)
        {
            foreach (string layer in LayerOptions.AutoChosen(job.Settings, entries.Select(e => e.Layer)))
                error.WriteLine($"gradcam: layer 'auto' is {layer}");
        }
        return OutputOptions.Finish(output, error, entries, job.OutputDirectory, json, quiet);
    }
}
