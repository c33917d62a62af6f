using System.CommandLine;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace GradCamSharp.Cli.Tests;

/// <summary>
/// The cluster recipes in deploy/ say what they mean: the Kubernetes Job as the official client library reads it, the
/// Slurm array's directives, and in both the gradcam command line as gradcam parses it.
/// </summary>
public sealed partial class DeploymentTests
{
    private static string Deploy(string path) => Path.Combine(CliRun.RepositoryRoot, "deploy", path);

    [Fact]
    public void TheKubernetesJob_IsIndexed_ShardsByItsIndex_AndMountsWhatTheCommandReadsAndWrites()
    {
        V1Job job = KubernetesYaml.Deserialize<V1Job>(File.ReadAllText(Deploy("kubernetes/explain-job.yaml")));

        Assert.Equal("Job", job.Kind);
        Assert.Equal("Indexed", job.Spec.CompletionMode);
        int completions = job.Spec.Completions!.Value;
        Assert.InRange(job.Spec.Parallelism!.Value, 1, completions);
        Assert.Equal("Never", job.Spec.Template.Spec.RestartPolicy);
        V1Container container = Assert.Single(job.Spec.Template.Spec.Containers);
        Assert.Equal(["sh", "-c"], container.Command);
        string script = Assert.Single(container.Args);
        string[] arguments = GradCamArguments(script.Replace("$JOB_COMPLETION_INDEX", "3", StringComparison.Ordinal));
        Assert.Equal("auto", Value(arguments, "--shard"));
        Assert.Equal(completions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Value(arguments, "--shard-count"));
        Assert.Equal("/data/out/shard-3", Value(arguments, "--out"));
        string input = arguments[1];
        Assert.Contains(container.VolumeMounts, m => m.MountPath == input && m.ReadOnlyProperty == true);
        Assert.Contains(container.VolumeMounts, m => "/data/out/shard-3".StartsWith(m.MountPath + "/",
            StringComparison.Ordinal) && m.ReadOnlyProperty != true);
        Assert.All(container.VolumeMounts, m => Assert.Contains(job.Spec.Template.Spec.Volumes, v => v.Name == m.Name));
        // A partial failure or a wrong command line fails its index at once instead of being retried.
        V1PodFailurePolicyRule rule = Assert.Single(job.Spec.PodFailurePolicy.Rules);
        Assert.Equal("FailIndex", rule.Action);
        Assert.Equal([ExitCodes.Usage, ExitCodes.SomeFailed], rule.OnExitCodes.Values);
        Assert.NotNull(job.Spec.BackoffLimitPerIndex);
    }

    [Fact]
    public void TheSlurmArray_ShardsByItsTaskId_IntoOneFolderEach()
    {
        string[] lines = File.ReadAllLines(Deploy("slurm/explain.sbatch"));
        Assert.Equal("#!/bin/bash", lines[0]);
        Assert.Contains(lines, l => ArrayDirective().IsMatch(l));
        Assert.Contains(lines, l => l == "#SBATCH --requeue");
        string command = Assert.Single(lines, l => l.StartsWith("srun gradcam ", StringComparison.Ordinal));
        string[] arguments = GradCamArguments(command["srun ".Length..].Replace("\"$IN\"", "/data/photos")
            .Replace("\"$OUT/shard-$SLURM_ARRAY_TASK_ID\"", "/data/gradcam/shard-5"));
        Assert.Equal("auto", Value(arguments, "--shard"));
        Assert.Equal("/data/gradcam/shard-5", Value(arguments, "--out"));
    }

    /// <summary>The arguments after "gradcam" in <paramref name="script"/>, checked to parse without errors.</summary>
    private static string[] GradCamArguments(string script)
    {
        string[] words = script.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        string[] arguments = words[(Array.IndexOf(words, "gradcam") + 1)..];
        ParseResult parsed = GradCamCli.Build().Parse(arguments);
        Assert.Empty(parsed.Errors);
        Assert.Equal("explain", arguments[0]);
        return arguments;
    }

    private static string Value(string[] arguments, string option) => arguments[Array.IndexOf(arguments, option) + 1];

    [GeneratedRegex(@"^#SBATCH --array=0-\d+(%\d+)?$")]
    private static partial Regex ArrayDirective();
}
