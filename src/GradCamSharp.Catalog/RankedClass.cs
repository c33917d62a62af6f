namespace GradCamSharp.Catalog;

/// <summary>One class of a model's ranking of a photo.</summary>
/// <param name="Index">The class index.</param>
/// <param name="Label">Its name, when the model has labels.</param>
/// <param name="Score">The model's score (a logit for classifiers).</param>
/// <param name="Probability">The softmax of the scores over every class the model answers with.</param>
public sealed record RankedClass(int Index, string? Label, double Score, double Probability);
