namespace GradCamSharp.Web.Study;

/// <summary>The paper's two human studies (sec. 5.1 and 5.2), by the names the database and the API use.</summary>
public static class StudyKinds
{
    /// <summary>Class discrimination: one method's map for a hidden one of two classes; which class is it?</summary>
    public const string Discrimination = "discrimination";

    /// <summary>
    /// Trust: two models' maps for the same class; which model is more reasonable, on a 5-point scale?
    /// </summary>
    public const string Trust = "trust";

    /// <summary>Every kind.</summary>
    public static IReadOnlyList<string> All { get; } = [Discrimination, Trust];
}
