namespace GradCamSharp.Scenes;

/// <summary>A question about a scene with its exact answer.</summary>
/// <param name="Question">The question, lower case, words separated by single spaces, e.g. "what color is the
/// star".</param>
/// <param name="Answer">One word, e.g. "red", "yes", "two".</param>
/// <param name="Type">The question type, see <see cref="QuestionTypes"/>.</param>
/// <param name="ObjectIndex">The index of the one object the answer is about, where there is one (for
/// pointing).</param>
public sealed record SceneQuestion(string Question, string Answer, string Type, int? ObjectIndex);

/// <summary>The kinds of question the worlds ask.</summary>
public static class QuestionTypes
{
    /// <summary>"what color is the star": the colour of a shape unique in the scene.</summary>
    public const string Color = "color";

    /// <summary>"what shape is the red object": the shape of a colour unique in the scene.</summary>
    public const string Shape = "shape";

    /// <summary>"is there a green triangle": yes or no.</summary>
    public const string Exists = "exists";

    /// <summary>"how many circles are there": a number word.</summary>
    public const string Count = "count";

    /// <summary>"what is left of the red square": the object on that side.</summary>
    public const string Relation = "relation";

    /// <summary>"what is on the right": the object farthest to one side (photo world).</summary>
    public const string Position = "position";
}
