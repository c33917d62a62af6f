namespace GradCamSharp.Methods;

/// <summary>The kernel of <see cref="KpcaCam"/> between two positions' activation vectors x and y.</summary>
public enum KernelPcaKernel
{
    /// <summary>tanh(x.y / channels + 1): scikit-learn's sigmoid kernel at its default gamma and coef0.</summary>
    Sigmoid,

    /// <summary>x.y: kernel PCA then equals the centred PCA of the positions.</summary>
    Linear,
}
