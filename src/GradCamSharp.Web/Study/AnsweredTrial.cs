namespace GradCamSharp.Web.Study;

/// <summary>One answer with its trial, as the results and the CSV export read them.</summary>
/// <param name="Study">The study's name.</param>
/// <param name="Participant">The participant's anonymous id.</param>
/// <param name="Kind">A <see cref="StudyKinds"/> name.</param>
/// <param name="Method">The method whose maps were shown.</param>
/// <param name="Image">The picture's name.</param>
/// <param name="Truth">The class explained.</param>
/// <param name="ModelA">Trust: the first model.</param>
/// <param name="ModelB">Trust: the second model.</param>
/// <param name="Choice">Discrimination: the class picked, or <see cref="StudyDatabase.CannotTell"/>.</param>
/// <param name="Rating">Trust: -2..2, positive when model A was judged more reasonable.</param>
/// <param name="Correct">Discrimination: whether the class picked is the one explained.</param>
/// <param name="AnsweredAt">When the answer arrived (UTC).</param>
public sealed record AnsweredTrial(string Study, string Participant, string Kind, string Method, string Image,
    string Truth, string? ModelA, string? ModelB, string? Choice, int? Rating, bool? Correct,
    DateTimeOffset AnsweredAt);
