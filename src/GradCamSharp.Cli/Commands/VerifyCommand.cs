using System.CommandLine;
using System.Globalization;
using GradCamSharp.Onnx;
using GradCamSharp.OnnxRuntime;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam verify</c>: does the import compute what ONNX Runtime computes for this model?</summary>
internal static class VerifyCommand
{
    internal static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "An .onnx file" };
        var shape = new Option<string?>("--input-shape")
        {
            Description = "The input shape, e.g. 1,3,224,224 (default: the model's declared shape, batch 1)",
        };
        var seed =
            new Option<int>("--seed") { Description = "Seed of the random normal input", DefaultValueFactory = _ => 0 };
        var command = CommandHelp.Create("verify", "Compare the ONNX import with ONNX Runtime on the same input", $"""
            Run ONNX Runtime and GradCamSharp's import on the same random input and compare every output: prints the
            max absolute and relative difference per output and OK when all are within {OnnxVerifier.AbsoluteTolerance}
            + {OnnxVerifier.RelativeTolerance} x max |output| (absolute plus relative tolerance, as numpy.allclose).
            Otherwise names the first operator whose value disagrees, or the operator the import does not support.
            Exit code 0 when the import agrees, 1 when it does not (or does not support an operator), 3 when the file
            is not an ONNX model.

            Examples:
              gradcam verify model.onnx
              gradcam verify detector.onnx --input-shape 1,3,320,320
            """);
        command.Add(model);
        command.Add(shape);
        command.Add(seed);
        command.SetAction(result => Run(result.InvocationConfiguration.Output,
            result.GetValue(model)!, result.GetValue(shape), result.GetValue(seed)));
        return command;
    }

    /// <summary>Runs <c>verify</c>; returns the exit code.</summary>
    public static int Run(TextWriter output, string model, string? inputShape, int seed)
    {
        if (!File.Exists(model)) throw new UnreadableInputException($"model file '{model}' not found");
        long[]? requested = inputShape is null ? null : ParseShape(inputShape);
        VerificationReport report;
        try
        {
            report = OnnxVerifier.Verify(model, requested, seed);
        }
        catch (OnnxImportException exception) when (exception.OpType is not null)
        {
            // A readable model with an operator the import does not support: a disagreement, not unreadable input.
            output.WriteLine($"unsupported: {exception.Message}");
            return ExitCodes.Failure;
        }
        var c = CultureInfo.InvariantCulture;
        foreach (ValueComparison o in report.Outputs)
        {
            string shape = o.Shape is long[] dims ? $" [{string.Join(", ", dims)}]" : "";
            output.WriteLine(string.Create(c,
                $"output {o.Name}{shape}: max abs {o.MaxAbsolute:0.###e+0}, max rel {o.MaxRelative:0.###e+0}  " +
                    $"{(o.Agrees ? "OK" : "DIFFERS")}"));
        }
        if (report.Agrees)
        {
            output.WriteLine($"OK: the import agrees with ONNX Runtime on [{string.Join(", ", report.InputShape)}]");
            return ExitCodes.Success;
        }
        if (report.FirstDisagreement is ValueComparison first)
        {
            output.WriteLine(string.Create(c, $"first disagreement: {first.Operator} (node '{first.Node}'), " +
                $"value '{first.Name}': max abs {first.MaxAbsolute:0.###e+0}, max rel {first.MaxRelative:0.###e+0}"));
        }
        return ExitCodes.Failure;
    }

    private static long[] ParseShape(string text)
    {
        long[] dims = text.Split(',', 'x').Select(d => long.TryParse(d.Trim(), out long v) && v > 0 ? v : -1).ToArray();
        if (dims.Length == 0 || dims.Any(d => d <= 0))
            throw new UsageException($"bad --input-shape '{text}': expected positive integers such as 1,3,224,224");
        return dims;
    }
}
