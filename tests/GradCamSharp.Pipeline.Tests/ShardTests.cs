using CsCheck;
using GradCamSharp.Pipeline.Datasets;

namespace GradCamSharp.Pipeline.Tests;

/// <summary>Shards split any set of photos into disjoint shares that cover it, whatever the order.</summary>
public sealed class ShardTests
{
    [Fact]
    public void Shards_CoverEveryKeyOnce_IndependentlyOfOrder() =>
        Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 30].HashSet[0, 60], Gen.Int[1, 9]).Sample((keys, count) =>
        {
            Shard[] shards = [.. Enumerable.Range(0, count).Select(i => new Shard(i, count))];
            return keys.All(key => shards.Count(s => s.Contains(key)) == 1);
        });

    [Fact]
    public void Shards_AreRoughlyEven()
    {
        string[] keys = [.. Enumerable.Range(0, 8000).Select(i => $"val/n{i % 1000:D8}/ILSVRC2012_val_{i:D8}.JPEG")];
        int[] sizes = [.. Enumerable.Range(0, 8).Select(i => keys.Count(new Shard(i, 8).Contains))];
        Assert.All(sizes, size => Assert.InRange(size, 900, 1100));
    }

    [Theory]
    [InlineData("JOB_COMPLETION_INDEX=2", 4, 2, 4)]
    [InlineData("SLURM_ARRAY_TASK_ID=7,SLURM_ARRAY_TASK_MIN=5,SLURM_ARRAY_TASK_COUNT=3", null, 2, 3)]
    [InlineData("AWS_BATCH_JOB_ARRAY_INDEX=0", 2, 0, 2)]
    public void Auto_TakesTheSchedulersIndex(string variables, int? count, int index, int total)
    {
        Dictionary<string, string> environment = variables.Split(',').Select(v => v.Split('='))
            .ToDictionary(v => v[0], v => v[1]);
        Assert.Equal(new Shard(index, total), Shard.Parse("auto", count, name => environment.GetValueOrDefault(name)));
    }

    [Theory]
    [InlineData("auto", 4, "", "none of JOB_COMPLETION_INDEX")]
    [InlineData("auto", null, "JOB_COMPLETION_INDEX=1", "--shard-count")]
    [InlineData("auto", 4, "JOB_COMPLETION_INDEX=4", "from 0 to 3")]
    [InlineData("3/3", null, "", "from 0 to 2")]
    [InlineData("1-3", null, "", "I/N")]
    [InlineData("1/3", 3, "", "--shard-count goes with --shard auto")]
    public void BadShards_AreRefusedWithWhatToDo(string text, int? count, string variables, string expected)
    {
        Dictionary<string, string> environment = variables.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => v.Split('=')).ToDictionary(v => v[0], v => v[1]);
        var error = Assert.Throws<UsageException>(() =>
            Shard.Parse(text, count, name => environment.GetValueOrDefault(name)));
        Assert.Contains(expected, error.Message);
    }
}
