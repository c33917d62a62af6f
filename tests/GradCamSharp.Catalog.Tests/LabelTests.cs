namespace GradCamSharp.Catalog.Tests;

public sealed class LabelTests
{
    private static readonly string[] Labels = ["dog", "hot dog", "golden retriever", "0", "180", "sea lion", "lion"];

    [Theory]
    [InlineData("dog", 0)]                 // exact beats the word in "hot dog"
    [InlineData("GOLDEN RETRIEVER", 2)]    // exact, case-insensitive
    [InlineData("retriever", 2)]           // the only label with that word
    [InlineData("180", 4)]                 // a label that is a number names its class
    [InlineData("5", 5)]                   // otherwise a number is an index
    [InlineData("lion", 6)]
    public void Resolve_ExactThenIndexThenWholeWord(string spec, int expected) =>
        Assert.Equal(expected, GradCamSharp.Catalog.Labels.Resolve(spec, Labels, null));

    [Fact]
    public void Resolve_NeverByPrefix_AndRefusesAmbiguity()
    {
        Assert.Contains("unknown class 'gold'",
            Assert.Throws<UsageException>(() => GradCamSharp.Catalog.Labels.Resolve("gold", Labels, null)).Message);
        string[] twoLions = ["sea lion", "mountain lion"];
        var error = Assert.Throws<UsageException>(() => GradCamSharp.Catalog.Labels.Resolve("lion", twoLions, null));
        Assert.Contains("0 (sea lion)", error.Message);
        Assert.Contains("1 (mountain lion)", error.Message);
        Assert.Contains("out of range",
            Assert.Throws<UsageException>(() => GradCamSharp.Catalog.Labels.Resolve("7", Labels, null)).Message);
    }
}
