using GradCamSharp.Models;
using GradCamSharp.Targets;
using static TorchSharp.torch;

namespace GradCamSharp.Evaluation;

/// <summary>
/// Scores altered copies of one image for the class the original image was scored for, not for whatever class each
/// copy's top score becomes. Call inside a dispose scope, with the model in its explanation state and without grad.
/// </summary>
internal sealed class PerturbationScorer
{
    private readonly IExplainableModel _model;
    private readonly ITarget _target;

    public PerturbationScorer(IExplainableModel model, Tensor original, ITarget target)
    {
        _model = model;
        TargetScore score = target.Scores(model.Forward(original, ForwardTaps.None))[0];
        OriginalScore = score.Values[0].item<float>();
        _target = score.ClassIndices is [int classIndex] ? new ClassTarget(classIndex) : target;
    }

    /// <summary>The original image's score.</summary>
    public float OriginalScore { get; }

    /// <summary>The score of every image of <paramref name="batch"/>.</summary>
    public float[] Score(Tensor batch) =>
        _target.Scores(_model.Forward(batch,
            ForwardTaps.None))[0].Values.to(ScalarType.Float32).data<float>().ToArray();
}
