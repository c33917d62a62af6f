using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Models;

internal static class DisposeScopes
{
    /// <summary>
    /// Makes <paramref name="scope"/> own <paramref name="tensor"/>. TorchSharp 0.107's MoveToOtherDisposeScope, asked
    /// to move a tensor into the scope that already owns it, drops it from that scope's list while leaving the
    /// ownership set, so the tensor is never disposed and its finalizer later throws on the dead scope.
    /// </summary>
    public static Tensor OwnedBy(this Tensor tensor, DisposeScope scope) =>
        scope.Contains(tensor) ? tensor : tensor.MoveToOtherDisposeScope(scope);
}
