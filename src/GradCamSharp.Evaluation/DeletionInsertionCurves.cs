namespace GradCamSharp.Evaluation;

/// <summary>The score curves of <see cref="DeletionInsertion"/> and their areas.</summary>
/// <param name="Deletion">Scores as the most salient pixels are removed first, from none to all.</param>
/// <param name="Insertion">Scores as the most salient pixels are restored first, from none to all.</param>
public sealed record DeletionInsertionCurves(float[] Deletion, float[] Insertion)
{
    /// <summary>Mean of the deletion curve (trapezoid rule): lower means the map found what the score needs.</summary>
    public double DeletionArea => Area(Deletion);

    /// <summary>Mean of the insertion curve: higher means the map found what the score needs.</summary>
    public double InsertionArea => Area(Insertion);

    private static double Area(float[] curve)
    {
        double sum = 0;
        for (int i = 1; i < curve.Length; i++) sum += (curve[i - 1] + curve[i]) / 2.0;
        return sum / (curve.Length - 1);
    }
}
