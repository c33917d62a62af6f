namespace GradCamSharp.Web.Study;

/// <summary>A trial as the database keeps it: what was shown, and the truth the participant does not see.</summary>
/// <param name="Id">Its number in the database (0 before it is stored).</param>
/// <param name="Participant">The participant's anonymous id.</param>
/// <param name="Sequence">Its place among the participant's trials, from 0.</param>
/// <param name="Kind">A <see cref="StudyKinds"/> name.</param>
/// <param name="Method">The method whose maps were shown.</param>
/// <param name="Image">The picture's name.</param>
/// <param name="Truth">Discrimination: the class whose map was shown. Trust: the class both maps explain.</param>
/// <param name="Options">Discrimination: the classes offered, in the order shown.</param>
/// <param name="ModelA">Trust: the first model of the study (ratings are stored in its favour).</param>
/// <param name="ModelB">Trust: the second model.</param>
/// <param name="AOnLeft">Trust: whether model A's map was shown on the left.</param>
public sealed record TrialRecord(long Id, string Participant, int Sequence, string Kind, string Method, string Image,
    string Truth, IReadOnlyList<string> Options, string? ModelA, string? ModelB, bool AOnLeft);
