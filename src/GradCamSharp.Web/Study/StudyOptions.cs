using GradCamSharp.Methods;
using GradCamSharp.Catalog;

namespace GradCamSharp.Web.Study;

/// <summary>
/// A human study after the paper's (sec. 5): which trials, which methods and models, and where answers are kept.
/// </summary>
public sealed record StudyOptions
{
    /// <summary>Trials from composite scenes of the shipped photos' objects, two per scene.</summary>
    public const string Composites = "composites";

    /// <summary>Trials from the shipped photos that show two different annotated objects.</summary>
    public const string Photos = "photos";

    /// <summary>The study's name, kept with every trial (one database may hold several studies).</summary>
    public required string Name { get; init; }

    /// <summary>The SQLite file of trials and answers; created when missing.</summary>
    public required string DatabasePath { get; init; }

    /// <summary><see cref="Composites"/>, <see cref="Photos"/>, or a folder of images.</summary>
    public string Source { get; init; } = Composites;

    /// <summary>The methods whose maps are shown, balanced across each participant's trials.</summary>
    public IReadOnlyList<string> Methods { get; init; } =
        [KnownMethods.GuidedBackprop, KnownMethods.GuidedGradCam, KnownMethods.GradCam];

    /// <summary>The two models the trust trials compare (the first is "model A" in the results).</summary>
    public IReadOnlyList<string> Models { get; init; } = [KnownModels.Default, KnownModels.DefaultPrototypes];

    /// <summary>
    /// The kinds of trial, taken in turn: <see cref="StudyKinds.Discrimination"/>, <see cref="StudyKinds.Trust"/>.
    /// </summary>
    public IReadOnlyList<string> Kinds { get; init; } = [StudyKinds.Discrimination, StudyKinds.Trust];

    /// <summary>The seed of the composite scenes and of each participant's draws.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Throws when the options cannot make a study.</summary>
    /// <exception cref="UsageException">An unknown kind or method, a trust study without two models, no
    /// name.</exception>
    public StudyOptions Validated()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new UsageException("the study needs a name");
        if (Kinds.Count == 0) throw new UsageException("the study needs at least one kind of trial");
        foreach (string kind in Kinds.Where(k => !StudyKinds.All.Contains(k)))
            throw new UsageException($"unknown study kind '{kind}'; the kinds are {string.Join(", ", StudyKinds.All)}");
        if (Methods.Count == 0) throw new UsageException("the study needs at least one method");
        foreach (string method in Methods) KnownMethods.Get(method);
        if (Kinds.Contains(StudyKinds.Trust) && (Models.Count != 2 || Models[0] == Models[1]))
            throw new UsageException("a trust study compares two different models");
        return this;
    }
}
