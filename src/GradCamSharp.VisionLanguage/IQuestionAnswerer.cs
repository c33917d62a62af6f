using static TorchSharp.torch;

namespace GradCamSharp.VisionLanguage;

/// <summary>A VQA head: features and a question in, answer logits out, several questions per image at once.</summary>
internal interface IQuestionAnswerer
{
    /// <summary>
    /// Answer logits [Q, answers] for [N, C, h, w] features and [Q, L] left-padded question ids: question <c>i</c> is
    /// about image <c>imageOfQuestion[i]</c> (training asks every question of a scene), or, without it, about image
    /// <c>i</c> (one image is shared by every question).
    /// </summary>
    Tensor AnswerMany(Tensor features, Tensor question, Tensor? imageOfQuestion);
}
