using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GradCamSharp.Runtime;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam evaluate</c>: the paper's evaluation on annotated photos.</summary>
public static class EvaluateCommand
{
    internal static Command Create()
    {
        var common = new CommonOptions();
        var boxes = new Option<string>("--boxes") { Description = "Annotated boxes: {\"photo.jpg\": {\"label\": [x0, y0, x1, y1]}}", DefaultValueFactory = _ => "samples/boxes.json" };
        var images = new Option<string>("--images") { Description = "The folder of the photos named in --boxes", DefaultValueFactory = _ => "samples" };
        var method = new Option<string>("--method") { Description = "The method to evaluate", DefaultValueFactory = _ => "gradcam" };
        var alias = new Option<string[]>("--alias") { Description = "BOX=CLASS: the class name of a box label (default: eagle=bird)" };
        var noSanity = new Option<bool>("--no-sanity") { Description = "Skip the parameter-randomization sanity check" };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON" };
        var command = CommandHelp.Create("evaluate", "The paper's evaluation on annotated photos: pointing game, box IoU, faithfulness, sanity", """
            Evaluate explanations as the Grad-CAM paper does, on photos with annotated boxes: the pointing game (the map's
            peak within 15 pixels of the box), weakly-supervised localisation (IoU of the 15%-of-maximum box with the
            annotation), faithfulness (rank correlation with the occlusion map), the deletion and insertion areas of
            Petsiuk et al. (the score as the most salient pixels are removed or restored first; in the model's score
            units) and the sanity check of Adebayo et al. (rank correlation with the map of the same model with random
            weights: lower is better).

            Examples:
              gradcam evaluate
              gradcam evaluate --method gradcam++ --json
            """);
        common.AddTo(command);
        foreach (Option option in new Option[] { boxes, images, method, alias, noSanity, json }) command.Add(option);
        command.SetAction(result =>
        {
            (string spec, ModelLoadOptions options) = common.Read(result);
            return Run(result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, spec, options,
                result.GetValue(boxes)!, result.GetValue(images)!, result.GetValue(method)!, result.GetValue(alias) ?? [],
                !result.GetValue(noSanity), result.GetValue(json));
        });
        return command;
    }

    /// <summary>Runs <c>evaluate</c>; returns the exit code.</summary>
    public static int Run(TextWriter output, TextWriter error, string model, ModelLoadOptions options, string boxes, string images,
        string method, IReadOnlyList<string> aliases, bool sanity, bool json)
    {
        try
        {
            _ = ExplainPipeline.ExpandMethods([method]);
            var aliasMap = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["eagle"] = "bird" };
            foreach (string pair in aliases)
            {
                string[] parts = pair.Split('=', 2);
                if (parts.Length != 2) throw new ArgumentException($"bad --alias '{pair}': expected BOX=CLASS");
                aliasMap[parts[0]] = parts[1];
            }
            IReadOnlyList<EvaluationCase> cases = EvaluationRunner.ReadBoxes(boxes, images);
            using LoadedModel loaded = ModelCatalog.Load(model, options);
            using LoadedModel? randomized = sanity ? ModelCatalog.Load(model, options with { RandomWeightsSeed = 1 }) : null;
            IReadOnlyList<EvaluationResult> results = EvaluationRunner.Run(loaded, cases, method, randomized, aliasMap, new LineProgress(error));
            if (results.Count == 0) throw new ArgumentException("no annotated label matches a class of the model (use --alias BOX=CLASS)");
            if (json)
            {
                output.WriteLine(JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
                return ExitCodes.Success;
            }
            var c = CultureInfo.InvariantCulture;
            output.WriteLine($"{"photo",-14} {"object",-10} {"pointing",8} {"box IoU",8} {"faithful",9} {"deletion",9} {"insertion",10} {"vs random",10}");
            foreach (EvaluationResult r in results)
            {
                string random = r.RandomizedSimilarity is double s ? s.ToString("0.00", c) : "";
                output.WriteLine(string.Create(c, $"{Path.GetFileName(r.Image),-14} {r.Label,-10} {(r.PointingHit ? "hit" : "miss"),8} {r.BoxIoU,8:0.00} {r.Faithfulness,9:0.00} {r.Deletion,9:0.000} {r.Insertion,10:0.000} {random,10}"));
            }
            string summary = string.Create(c, $"{method} on {loaded.Name}: pointing game {results.Count(r => r.PointingHit)}/{results.Count}, mean box IoU {results.Average(r => r.BoxIoU):0.00}, mean faithfulness {results.Average(r => r.Faithfulness):0.00}, deletion {results.Average(r => r.Deletion):0.000}, insertion {results.Average(r => r.Insertion):0.000}");
            if (sanity) summary += string.Create(c, $", mean similarity to the randomized model {results.Average(r => r.RandomizedSimilarity ?? 0):0.00}");
            output.WriteLine(summary);
            return ExitCodes.Success;
        }
        catch (Exception exception)
        {
            return Failures.Report(exception, error);
        }
    }
}
