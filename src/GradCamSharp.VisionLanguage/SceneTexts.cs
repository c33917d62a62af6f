using GradCamSharp.Scenes;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// What a model reads and predicts about one scene, as ids: its questions with answers, and its caption.
/// </summary>
internal sealed record SceneTexts(IReadOnlyList<EncodedQuestion> Questions, int[] Caption);

/// <summary>One question as ids, with the index of its answer and the question's type.</summary>
internal sealed record EncodedQuestion(int[] Words, int Answer, string Type);

/// <summary>The words and answers of a set of scenes.</summary>
internal static class SceneTextEncoder
{
    /// <summary>
    /// The vocabulary, answers and longest text of <paramref name="scenes"/>' captions and questions.
    /// </summary>
    public static (Vocabulary Vocabulary, string[] Answers, int MaxWords) Describe(IEnumerable<Scene> scenes)
    {
        var texts = new List<string>();
        var answers = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Scene scene in scenes)
        {
            texts.AddRange(scene.Captions.Take(1));
            texts.AddRange(scene.Questions.Select(q => q.Question));
            foreach (SceneQuestion question in scene.Questions) answers.Add(question.Answer);
        }
        int longest = texts.Count == 0 ? 1 : texts.Max(t => Vocabulary.Split(t).Count);
        return (Vocabulary.FromTexts(texts), [.. answers], Math.Max(VisionLanguageModel.DefaultMaxWords, longest));
    }

    /// <summary>
    /// The ids of <paramref name="scene"/>'s texts; questions whose answers the model does not know are left out.
    /// </summary>
    public static SceneTexts Encode(Scene scene, VisionLanguageModel model)
    {
        var questions = new List<EncodedQuestion>();
        if (model is VqaModel vqa)
        {
            foreach (SceneQuestion question in scene.Questions)
            {
                int answer = vqa.Answers.ToList().IndexOf(question.Answer);
                if (answer >= 0) questions.Add(new(vqa.EncodeQuestion(question.Question), answer, question.Type));
            }
        }
        int[] caption = model is Captioner captioner && scene.Captions.Count > 0
            ? captioner.EncodeCaption(scene.Captions[0]) : [];
        return new SceneTexts(questions, caption);
    }
}
