using GradCamSharp.Catalog;
using GradCamSharp.Evaluation;
using GradCamSharp.Factorization;
using GradCamSharp.Imaging;
using GradCamSharp.Scenes;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Pipeline.Tests;

/// <summary>
/// Deep Feature Factorization: the factorisation is non-negative and reconstructs what it factorises; on photos of two
/// objects its concepts separate them, each labelled with its own object's class.
/// </summary>
public sealed class ConceptTests(DefaultModelFixture fixture) : IClassFixture<DefaultModelFixture>
{
    [Fact]
    public void NonNegativeFactorization_OfAnExactlyLowRankMatrix_ReconstructsIt_AndStaysNonNegative()
    {
        using DisposeScope scope = NewDisposeScope();
        manual_seed(12);
        Tensor v = rand(40, 3, dtype: ScalarType.Float64).matmul(rand(3, 90, dtype: ScalarType.Float64));
        (Tensor w, Tensor h, double error) = NonNegativeFactorization.Factorize(v, 3, iterations: 3000);
        Assert.True(w.min().item<double>() >= 0 && h.min().item<double>() >= 0);
        Assert.InRange(error, 0, 0.01);
        Assert.Equal(error, (v - w.matmul(h)).norm().item<double>() / v.norm().item<double>(), 9);
        // One part cannot hold three: the error must be larger, and the same seed gives the same factors.
        (_, _, double one) = NonNegativeFactorization.Factorize(v, 1);
        Assert.True(one > 10 * error, $"{one} against {error}");
        (Tensor again, _, _) = NonNegativeFactorization.Factorize(v, 3, iterations: 3000);
        Assert.Equal(w.data<double>().ToArray(), again.data<double>().ToArray());
        Assert.Throws<ArgumentException>(() => NonNegativeFactorization.Factorize(v - 1, 2));
    }

    public static TheoryData<string, string, string> TwoObjects => new()
    {
        { "dog.jpg", "dog", "bicycle" },
        { "person.jpg", "person", "horse" },
    };

    [Theory]
    [MemberData(nameof(TwoObjects))]
    public void Concepts_OfAPhotoOfTwoObjects_SeparateThem_EachLabelledWithItsClass(string photo, string first,
        string second)
    {
        AnnotatedPhoto annotated = PhotoAnnotations.Read(Path.Combine(SharedFixtures.Samples, "boxes.json"),
            SharedFixtures.Samples).Single(p => p.Name == photo);
        using SKBitmap bitmap = ImageLoader.Load(SharedFixtures.Sample(photo));
        using DisposeScope scope = NewDisposeScope();
        LoadedModel model = fixture.Model;
        PreparedImage prepared = ImagePreprocessor.Prepare(bitmap, model.Preprocessing);
        ConceptFactorization parts = DeepFeatureFactorization.Factorize(model.Model, prepared.ToTensor(), 4,
            model.DefaultLayer ?? "auto");
        Assert.Equal(4, parts.Concepts.Count);
        Assert.InRange(parts.RelativeError, 0, 1);

        AnnotatedObject a = annotated.Objects.Single(o => o.Label == first);
        AnnotatedObject b = annotated.Objects.Single(o => o.Label == second);
        (double A, double B)[] shares = [.. parts.Concepts.Select(c => ClassDiscrimination.Shares(
            prepared.ToOriginal(c.Maps[0]), a.Box, [.. annotated.InFrontOf(a).Select(o => o.Box)], b.Box,
            [.. annotated.InFrontOf(b).Select(o => o.Box)]))];
        int onA = Enumerable.Range(0, 4).MaxBy(k => shares[k].A - shares[k].B);
        int onB = Enumerable.Range(0, 4).MaxBy(k => shares[k].B - shares[k].A);
        Assert.NotEqual(onA, onB);
        Assert.True(shares[onA].A > shares[onA].B && shares[onB].B > shares[onB].A,
            $"{first}: {shares[onA]}, {second}: {shares[onB]}");
        string[] Top(int k) => [.. parts.Concepts[k].Classes.Take(2).Select(c => model.Labels![c.ClassIndex])];
        Assert.Contains(first, Top(onA));
        Assert.Contains(second, Top(onB));
    }
}
