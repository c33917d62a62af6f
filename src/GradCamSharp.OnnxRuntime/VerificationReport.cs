namespace GradCamSharp.OnnxRuntime;

/// <summary>The outcome of <see cref="OnnxVerifier.Verify"/>.</summary>
/// <param name="InputShape">The shape of the random input both ran on.</param>
/// <param name="Outputs">The graph outputs compared.</param>
/// <param name="FirstDisagreement">When an output disagrees, the earliest intermediate value that already does.</param>
public sealed record VerificationReport(long[] InputShape, IReadOnlyList<ValueComparison> Outputs,
    ValueComparison? FirstDisagreement)
{
    /// <summary>Every output agrees.</summary>
    public bool Agrees => Outputs.All(o => o.Agrees);
}
