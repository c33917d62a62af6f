using GradCamSharp.Models;

namespace GradCamSharp.Catalog.Tests;

public sealed class PrototypeFileTests
{
    [Fact]
    public void BuiltInPrototypes_AreReproducedFromTheirExamples()
    {
        PrototypeSet stored = PrototypeSet.Load(DefaultModel.PrototypeFile);
        using (IExplainableModel features = DefaultModel.LoadFeatures())
        {
            PrototypeSet rebuilt = stored.Rebuild(features, DefaultModel.Preprocessing, SharedFixtures.Samples);
            foreach (string label in stored.Labels)
            {
                float[] a = stored.Prototypes[label], b = rebuilt.Prototypes[label];
                double cosine = a.Zip(b,
                    (x, y) => (double)x * y).Sum() / Math.Sqrt(a.Sum(x => (double)x * x) * b.Sum(y => (double)y * y));
                Assert.True(cosine > 0.99999,
                    $"{label}: stored prototype differs from its examples (cosine {cosine})");
            }
        }
    }

    [Fact]
    public void ConceptSpec_KeepsBoxCommasWithTheirImage()
    {
        (string name, IReadOnlyList<ConceptExample> examples) =
            ConceptExample.ParseConcept("horse=a.jpg#1,2,30,40,b.png,c.jpg#5,6,7,8");
        Assert.Equal("horse", name);
        Assert.Equal(["a.jpg", "b.png", "c.jpg"], examples.Select(e => e.Path));
        Assert.Equal(new GradCamSharp.Maps.Box(1, 2, 30, 40), examples[0].Box);
        Assert.Null(examples[1].Box);
        Assert.Throws<UsageException>(() => ConceptExample.ParseConcept("horse=a.jpg#30,2,1,40"));
        Assert.Throws<UsageException>(() => ConceptExample.ParseConcept("no-equals-sign"));
    }
}
