namespace GradCamSharp.Fuzz.Tests;

/// <summary>
/// Every input a fuzzer ever found a crash with (fuzz/regressions/TARGET/), replayed: each must now be accepted or
/// refused the documented way. The seed corpora run through the same targets.
/// </summary>
public sealed class RegressionTests
{
    public static TheoryData<string, string> Findings()
    {
        var data = new TheoryData<string, string>();
        string root = Path.Combine(SharedFixtures.RepositoryRoot, "fuzz", "regressions");
        foreach (string target in FuzzTargets.Names)
        {
            string folder = Path.Combine(root, target);
            if (!Directory.Exists(folder)) continue;
            foreach (string file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
                data.Add(target, Path.GetFileName(file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Findings))]
    public void FuzzFinding_IsAcceptedOrRefusedCleanly(string target, string file)
    {
        byte[] input = File.ReadAllBytes(Path.Combine(SharedFixtures.RepositoryRoot, "fuzz", "regressions", target,
            file));
        FuzzTargets.Run(target, input);
    }

    [Fact]
    public void Regressions_CoverEveryTargetThatFoundSomething() =>
        Assert.Contains(Findings(), row => (string)row[0] == "onnx");

    [Fact]
    public void Seeds_RunThroughEveryTarget()
    {
        using var folder = new TempFolder();
        int count = Seeds.Write(folder.Path, SharedFixtures.RepositoryRoot);
        Assert.True(count >= 12, $"only {count} seeds");
        foreach (string target in FuzzTargets.Names)
        {
            string[] files = Directory.GetFiles(Path.Combine(folder.Path, target));
            Assert.NotEmpty(files);
            foreach (string file in files) FuzzTargets.Run(target, File.ReadAllBytes(file));
        }
    }

    [Fact]
    public void OnlyTheDocumentedRefusals_AreSwallowed_AnythingElseIsAFinding()
    {
        Assert.True(FuzzTargets.IsDocumentedRefusal(new UnreadableInputException("unreadable")));
        Assert.True(FuzzTargets.IsDocumentedRefusal(new UsageException("bad value")));
        Assert.True(FuzzTargets.IsDocumentedRefusal(new Microsoft.AspNetCore.Http.BadHttpRequestException("bad", 400)));
        Assert.False(FuzzTargets.IsDocumentedRefusal(new Microsoft.AspNetCore.Http.BadHttpRequestException("x", 500)));
        Assert.False(FuzzTargets.IsDocumentedRefusal(new InvalidOperationException("a bug")));
        Assert.False(FuzzTargets.IsDocumentedRefusal(new KeyNotFoundException("a bug")));
        Assert.False(FuzzTargets.IsDocumentedRefusal(new IOException("a raw I/O error is a finding")));
        Assert.Throws<ArgumentException>(() => FuzzTargets.Run("no-such-target", []));
    }
}
